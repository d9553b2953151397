import type { ApprovalPolicyConfig } from '../../handlers/approval/index.ts';
import type { AccessConfig, ResourceConfig } from './resources.ts';

/** The shapes the FT_CONFIG reader passes between its parts and returns. */

/** What the environment says when the file does not: the file's values override these. */
export interface FileDefaults {
  approval: ApprovalPolicyConfig;
  pollIntervalSeconds: number;
  jobUrl?: string;
  /** FT_PRICE_PER_MILLION_TOKENS: the price of a resource that names none. */
  pricePerMillionTokens?: number;
}

export interface LoadedFile {
  resources: ResourceConfig[];
  access: AccessConfig;
  /** Every secret read through the file, so the logger can redact them. */
  secrets: string[];
}

/** One problem in the file: where (a line when known, and the path) and what. */
export type FileProblem = string;

export type Path = readonly PropertyKey[];

/** Where a problem was found in the file, and what it is. */
export type Report = (path: Path, text: string) => void;
