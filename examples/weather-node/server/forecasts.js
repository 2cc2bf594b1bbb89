// The embedded forecast table: five days per city, temperatures in °C. Offline and deterministic,
// so tests and demos get the same answer every time.
export const CITIES = {
  amsterdam: { name: 'Amsterdam', country: 'NL', days: [[12, 6, 'rain'], [14, 7, 'cloudy'], [15, 8, 'sunny'], [13, 9, 'rain'], [11, 5, 'windy']] },
  berlin: { name: 'Berlin', country: 'DE', days: [[16, 8, 'sunny'], [17, 9, 'sunny'], [14, 7, 'cloudy'], [12, 6, 'rain'], [15, 7, 'cloudy']] },
  lagos: { name: 'Lagos', country: 'NG', days: [[31, 25, 'humid'], [32, 25, 'storms'], [30, 24, 'rain'], [31, 24, 'humid'], [32, 26, 'sunny']] },
  nairobi: { name: 'Nairobi', country: 'KE', days: [[24, 13, 'sunny'], [25, 14, 'cloudy'], [23, 13, 'rain'], [24, 12, 'sunny'], [26, 14, 'sunny']] },
  reykjavik: { name: 'Reykjavik', country: 'IS', days: [[4, -1, 'snow'], [5, 0, 'windy'], [3, -2, 'snow'], [6, 1, 'cloudy'], [4, -1, 'windy']] },
  tokyo: { name: 'Tokyo', country: 'JP', days: [[21, 14, 'sunny'], [22, 15, 'cloudy'], [19, 13, 'rain'], [20, 14, 'cloudy'], [23, 16, 'sunny']] },
};

const TO_CELSIUS = { C: (v) => v, F: (v) => ((v - 32) * 5) / 9, K: (v) => v - 273.15 };
const FROM_CELSIUS = { C: (v) => v, F: (v) => (v * 9) / 5 + 32, K: (v) => v + 273.15 };

/** Converts between C, F and K, rounded to two decimals. */
export function convert(value, from, to) {
  return Math.round(FROM_CELSIUS[to](TO_CELSIUS[from](value)) * 100) / 100;
}

/** The forecast for `days` days, in metric (°C) or imperial (°F) units. */
export function forecast(cityKey, days, units) {
  const city = CITIES[cityKey.toLowerCase()];
  if (!city) return undefined;
  const unit = units === 'imperial' ? 'F' : 'C';
  return {
    city: city.name,
    country: city.country,
    units: unit === 'F' ? 'imperial' : 'metric',
    days: city.days.slice(0, days).map(([high, low, conditions], i) => ({
      day: i + 1,
      high: convert(high, 'C', unit),
      low: convert(low, 'C', unit),
      conditions,
    })),
  };
}
