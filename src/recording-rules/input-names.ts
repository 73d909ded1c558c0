/** The series that says whether each metric the alerts read is exported; named here so that dashboards can draw it without importing the alerts. */
export const alertInputPresentRecord = "job_metric:alert_input:present";
