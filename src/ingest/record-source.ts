import type { InputProblem } from './read-lines.js';

/**
 * Records that do not come from files (a CloudWatch Logs log group): each one a WAF record's JSON
 * text with its place, so that a bad one is rejected by where it lives (log group, stream, event
 * id and time) the way a bad line is by file and line. The adapter that reads the service
 * implements it; the domain only iterates.
 */
export interface SourceRecord {
  text: string;
  place: Pick<InputProblem, 'file' | 'line' | 'event'>;
}

export interface RecordSource {
  /** How the user named it, e.g. `cwl://aws-waf-logs-prod`. */
  readonly name: string;
  /** The records, in the source's order; a problem that is not one record's goes to `onProblem`. */
  records(onProblem: (problem: InputProblem) => void): AsyncIterable<SourceRecord>;
}
