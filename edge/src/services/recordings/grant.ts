/** What a recording worker token grants: one recording, or one export build, of one session. */
export type WorkerGrant =
  | { kind: 'recording'; sessionId: string; recordingId: string; hostId: string }
  | { kind: 'export'; sessionId: string; exportId: string; hostId: string };
