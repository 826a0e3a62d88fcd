/** The local stack's `--help` text (start-help.mjs). */
export declare const START_HELP: string;
