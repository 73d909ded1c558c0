import type { DashboardModel, Model } from "../model.ts";
import { jsonArtifact, yamlArtifact, type Artifact } from "./artifact.ts";

export const dashboardsDir = "grafana/dashboards";

export function dashboardPath(dashboard: DashboardModel): string {
  return `${dashboardsDir}/${dashboard.uid}.json`;
}

function dashboardArtifact(dashboard: DashboardModel): Artifact {
  const panels = (dashboard.json.panels as Array<{ id?: number }> | undefined) ?? [];
  const byId = new Map([...dashboard.rows, ...dashboard.panels].map((p) => [p.id, p]));
  return jsonArtifact(
    {
      path: dashboardPath(dashboard),
      schema: dashboard.imported ? "grafana-dashboard-imported" : "grafana-dashboard",
      subject: `dashboard ${dashboard.uid} "${dashboard.title}"`,
      source: dashboard.source,
      locations: panels.flatMap((panel, index) => {
        const model = panel.id === undefined ? undefined : byId.get(panel.id);
        return model
          ? [
              {
                pointer: `/panels/${index}`,
                subject: `dashboard ${dashboard.uid} › panel ${model.id} "${model.title}"`,
                source: model.source,
              },
            ]
          : [];
      }),
    },
    dashboard.json,
  );
}

/** Grafana provisioning (apiVersion 1): the Prometheus datasource and a file provider for the dashboards. */
function provisioning(model: Model): Artifact[] {
  const { settings } = model;
  const source = { file: "src/config.ts", line: 1 };
  return [
    yamlArtifact(
      {
        path: "grafana/provisioning/datasources/prometheus.yaml",
        schema: "grafana-datasources",
        subject: `datasource ${settings.datasource.uid}`,
        source,
      },
      {
        apiVersion: 1,
        datasources: [
          {
            name: settings.datasource.name,
            uid: settings.datasource.uid,
            type: "prometheus",
            access: "proxy",
            url: settings.datasource.url,
            isDefault: true,
            editable: false,
            jsonData: { timeInterval: settings.scrapeInterval, httpMethod: "POST" },
          },
        ],
      },
      source.file,
    ),
    yamlArtifact(
      {
        path: "grafana/provisioning/dashboards/global-sovereign.yaml",
        schema: "grafana-dashboard-providers",
        subject: "dashboard provider",
        source,
      },
      {
        apiVersion: 1,
        providers: [
          {
            name: "global-sovereign",
            folder: settings.grafana.folder,
            type: "file",
            disableDeletion: true,
            allowUiUpdates: false,
            updateIntervalSeconds: 30,
            options: { path: settings.grafana.dashboardsPath, foldersFromFilesStructure: false },
          },
        ],
      },
      source.file,
    ),
  ];
}

export function renderGrafana(model: Model): Artifact[] {
  return [...model.dashboards.map(dashboardArtifact), ...provisioning(model)];
}
