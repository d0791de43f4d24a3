// Stable dashboard uids: links, alerts and bookmarks depend on them, so they never change.
export const ACTIVITY_UID = "vbo-restore-activity";
export const INVESTIGATION_UID = "vbo-restore-investigation";
export const HEALTH_UID = "vbo-exporter-health";
