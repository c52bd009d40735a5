export interface Config {
  /** Configuration of the DAG CI/CD plugins. */
  dagCicd?: {
    /**
     * The ordered lanes a commit moves through. Defaults to
     * `ci → staging → production`. Environments are named after their stage
     * outside `ci` (where they are named `ci_<sha7>`).
     */
    stages?: Array<{
      /** Lower-case name, e.g. `ci`; at most 32 characters. */
      name: string;
      /**
       * Whether this stage is production: its data prefix is the DAG's
       * production prefix, never written by any other stage. Exactly one
       * stage, the last by default, is production.
       */
      production?: boolean;
    }>;
  };
}
