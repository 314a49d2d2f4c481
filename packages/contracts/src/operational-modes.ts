/** The three operational modes of a device (DESIGN §1). */
export const OPERATIONAL_MODES = ['monitoring-only', 'autonomous', 'server-assisted'] as const;
