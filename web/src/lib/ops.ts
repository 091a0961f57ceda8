// Result shapes of the operations the dashboard uses that may not be in types.generated.ts yet
// (they are declared in core/api/ops_schedule.cpp; the generated file catches up when its owner
// regenerates it). Once generated, `ResultOf` below prefers the generated type.
import type { Operations, EpisodeScheduleQueue, Episode, TokenUsage, BudgetReservation, Weekday } from '@/core/types.generated';

export interface Occurrence {
  utc: string;
  local: string;
  date: string;
  weekday: Weekday;
  offsetMinutes: number;
  shifted: boolean;
  shiftMinutes: number;
  ambiguous: boolean;
}
export interface SchedulePreview {
  timezone: string;
  timezoneSource: 'cadence' | 'owner' | 'param' | 'default';
  projectStatus?: string;
  active: boolean;
  items: Occurrence[];
  truncated: boolean;
}
export interface BudgetStatus {
  date: string;
  limitMicros: number;
  spentMicros: number;
  reservedMicros: number;
  remainingMicros: number;
  callCount: number;
  inputTokens: number;
  outputTokens: number;
  blocked: boolean;
  reason: string | null;
}
export interface DailyUsage {
  date: string;
  costMicros: number;
  inputTokens: number;
  outputTokens: number;
  callCount: number;
}
export interface ClockState {
  now: string;
  fixed: boolean;
}
export interface ClaimResult {
  items: { item: EpisodeScheduleQueue; episode: Episode; token: number }[];
  blocked?: { reason: string; organizationId: string };
}
export interface CompleteResult {
  item: EpisodeScheduleQueue;
  episode: Episode;
  usage: TokenUsage | null;
}
export interface FailResult {
  item: EpisodeScheduleQueue;
  episode: Episode;
  dead: boolean;
  retryAt: string | null;
}
export interface PlanResult {
  added: number;
  cancelled: number;
  kept: number;
  projects: number;
}

/** Operations the dashboard calls, with their results where the generated file may lag. */
export interface KnownResults {
  'schedule.preview': SchedulePreview;
  'budget.status': BudgetStatus;
  'usage.daily': DailyUsage[];
  'clock.get': ClockState;
  'clock.set': ClockState;
  'clock.advance': ClockState;
  'queue.claim': ClaimResult;
  'queue.complete': CompleteResult;
  'queue.fail': FailResult;
  'queue.plan': PlanResult;
  'queue.retry': EpisodeScheduleQueue;
  'queue.cancel': EpisodeScheduleQueue;
  'budget.reserve': BudgetReservation;
}

export type OpName = keyof Operations | keyof KnownResults | (string & {});
export type ParamsOf<K extends string> = K extends keyof Operations ? Operations[K]['params'] : Record<string, unknown>;
export type ResultOf<K extends string> = K extends keyof Operations
  ? Operations[K]['result']
  : K extends keyof KnownResults
    ? KnownResults[K]
    : unknown;
