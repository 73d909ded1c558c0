/** The metric catalog: every metric any dashboard, alert or recording rule uses, declared once. */
import { catalogGroup } from "../engine/define/catalog.ts";
import * as beamMetrics from "./beam.ts";
import * as covenantMetrics from "./covenant.ts";
import * as ectoMetrics from "./ecto.ts";
import * as natsMetrics from "./nats.ts";
import * as phoenixMetrics from "./phoenix.ts";
import * as prometheusMetrics from "./prometheus.ts";

// A misspelt member (`phoenix.httpRequestz`) is a type error, and, when types are not checked, is named
// with its likely spelling by the definition whose PromQL then reads `undefined`.
export const phoenix = catalogGroup("phoenix", phoenixMetrics);
export const ecto = catalogGroup("ecto", ectoMetrics);
export const beam = catalogGroup("beam", beamMetrics);
export const nats = catalogGroup("nats", natsMetrics);
export const covenant = catalogGroup("covenant", covenantMetrics);
export const prometheus = catalogGroup("prometheus", prometheusMetrics);
