// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: npx tsx proto/generateProtoTypes.ts
// Original file: proto/chorus.proto

/**
 * A job's report, as the files `report.json` and `report.md` hold it.
 */
export interface ReportReply {
  jobId?: string;
  /**
   * report.json (core/report/report.ts `Report`), as text.
   */
  reportJson?: string;
  /**
   * report.md.
   */
  markdown?: string;
}

/**
 * A job's report, as the files `report.json` and `report.md` hold it.
 */
export interface ReportReply__Output {
  jobId: string;
  /**
   * report.json (core/report/report.ts `Report`), as text.
   */
  reportJson: string;
  /**
   * report.md.
   */
  markdown: string;
}
