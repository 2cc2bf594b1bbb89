#!/usr/bin/env node
// Weather example MCP server: three offline, deterministic tools over stdio.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { CITIES, convert, forecast } from './forecasts.js';

// user_config.units arrives through mcp_config.env; anything but "imperial" means metric.
const units = process.env.WEATHER_UNITS === 'imperial' ? 'imperial' : 'metric';

const server = new McpServer({ name: 'weather', version: '1.0.0' });

const text = (value) => ({ content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value) }] });

server.registerTool(
  'list_cities',
  { description: 'List the cities that have a forecast.', inputSchema: {} },
  async () => text(Object.entries(CITIES).map(([id, c]) => ({ id, name: c.name, country: c.country }))),
);

server.registerTool(
  'get_forecast',
  {
    description: 'Get a 1–5 day forecast for a city, in the configured units.',
    inputSchema: {
      city: z.string().describe('City id or name, e.g. "berlin".'),
      days: z.number().int().min(1).max(5).default(3).describe('Number of days (1–5).'),
    },
  },
  async ({ city, days }) => {
    const result = forecast(city, days, units);
    if (!result) return { ...text(`Unknown city "${city}". Use list_cities to see the options.`), isError: true };
    return text(result);
  },
);

server.registerTool(
  'convert_temperature',
  {
    description: 'Convert a temperature between Celsius (C), Fahrenheit (F) and Kelvin (K).',
    inputSchema: {
      value: z.number().describe('The temperature to convert.'),
      from: z.enum(['C', 'F', 'K']).describe('Unit of the value.'),
      to: z.enum(['C', 'F', 'K']).describe('Unit to convert to.'),
    },
  },
  async ({ value, from, to }) => text({ value: convert(value, from, to), unit: to }),
);

await server.connect(new StdioServerTransport());
