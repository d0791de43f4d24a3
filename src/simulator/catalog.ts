// Name pools for the generated world: organizations, people, machines, gateways and items.

export const ORGANIZATION_NAMES: readonly string[] = [
  "contoso.onmicrosoft.com",
  'Müller, "Bau" GmbH',
  "Fabrikam Holdings (EU)",
  "株式会社サンプル",
  "northwind.onmicrosoft.com",
  "O'Brien & Söhne, Ltd.",
  "adatum.onmicrosoft.com",
  "Żabka Logistics",
];

export const REGIONS: readonly string[] = ["Worldwide", "Worldwide", "Germany", "China"];

export const PEOPLE: readonly (readonly [string, string])[] = [
  ["jdoe", "John Doe"],
  ["asmith", "Alice Smith"],
  ["bjones", "Bob Jones"],
  ["cgarcia", "Carmen García"],
  ["dmüller", "Dieter Müller"],
  ["eoconnor", "Eileen O'Connor"],
  ["fchen", "Fang Chen"],
  ["gnovak", "Gregor Novák"],
  ["hsato", "Haruto Sato"],
  ["iadmin", "IT Admin"],
];

export const MACHINES: readonly string[] = [
  "BXYDEV01",
  "WS-FIN-014",
  "LAPTOP-7Q2K9",
  "helpdesk-03",
  "VDI-POOL-22",
  "restore-jump.corp.example",
  "MACBOOK-HR",
  "SRV-VBO-PROXY",
];

export const GATEWAYS: readonly string[] = [
  "203.0.113.10",
  "203.0.113.11",
  "198.51.100.4",
  "2001:db8::17",
];

export const MAIL_FOLDERS: readonly string[] = [
  "Inbox",
  "Sent Items",
  "Testcloudspace",
  "Finance\\2024",
  "Archive",
];

export const MAIL_SUBJECTS: readonly string[] = [
  "Q3 forecast",
  "Re: contract renewal",
  "Payroll March",
  "Board minutes",
  "Fw: invoice #4471",
  "Übergabe Projekt Nord",
  "Team offsite",
];

export const FILES: readonly string[] = [
  "Q1.xlsx",
  "Budget 2025.xlsx",
  "Handbook.docx",
  "Architecture.vsdx",
  "photo 001.jpg",
  "Vertrag_final.pdf",
  "notes.txt",
];

export const SITES: readonly string[] = ["Finance", "HR", "Projects", "Intranet", "Legal"];

export const TEAMS: readonly string[] = ["Sales EMEA", "Engineering", "Leadership", "Support"];

export const REASONS: readonly string[] = [
  "",
  "",
  "User request",
  "Ticket INC-20931",
  "Legal hold review",
];

/** Backup job names as they appear in session names (`Exchange restore (Job: Daily - ...)`). */
export const JOB_NAMES: readonly string[] = [
  "Daily",
  "Weekly Mail",
  "Backup Job 1",
  "SharePoint nightly",
];

/** Exchange item classes seen in restore events besides plain mail. */
export const MAIL_ITEM_TYPES: readonly string[] = [
  "IPM.Note",
  "IPM.Note",
  "IPM.Note",
  "IPM.Note",
  "IPM.Note",
  "IPM.Note.GroupMailbox.WarmupEmail",
  "REPORT.IPM.Note.NDR",
];

/** Why an item was processed with a warning (`Item X was opened with warning: <reason>`). */
export const WARNING_REASONS: readonly string[] = [
  "Item size exceeds the maximum allowed message size",
  "Some attachments could not be processed",
  "The item has been modified since the restore point was created",
];
