/**
 * The named choices of `fleet-sim`'s options, in a module that imports nothing, so the command
 * line (and its `--help`) does not load TinyLCM.
 * @example
 * new Option('--faults <profile>').choices([...FAULT_PROFILES]);
 */

/** Fleet-level scenarios: what drifts on each device. */
export const FLEET_SCENARIOS = ['no-drift', 'held-out-class', 'lighting', 'gradual-mix', 'mixed'] as const;
export type FleetScenario = (typeof FLEET_SCENARIOS)[number];

/** Named fault profiles for `--faults`. */
export const FAULT_PROFILES = ['none', 'offline', 'errors', 'slow', 'mixed'] as const;
export type FaultProfile = (typeof FAULT_PROFILES)[number];
