/** Key under which the engine stores the SC-01 inventory in the shared cache. */
export const INVENTORY_KEY = 'engine:inventory';
