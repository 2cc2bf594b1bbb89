/**
 * typosquat-import: known misspellings, and unknown names one edit away from a popular npm or
 * PyPI package. Names shorter than 5 characters are too dense to judge (qs/ms, os/fs).
 */

const NPM_TOP = [
  'lodash', 'react', 'express', 'axios', 'chalk', 'commander', 'moment', 'request', 'debug', 'tslib', 'uuid', 'dotenv',
  'webpack', 'typescript', 'prettier', 'eslint', 'jquery', 'underscore', 'async', 'bluebird', 'yargs', 'glob', 'minimist',
  'mkdirp', 'rimraf', 'semver', 'classnames', 'inquirer', 'body-parser', 'cheerio', 'colors', 'node-fetch', 'mongoose',
  'socket.io', 'redis', 'mysql', 'jsonwebtoken', 'bcrypt', 'nodemailer', 'passport', 'morgan', 'cors', 'helmet',
  'winston', 'fs-extra', 'through2', 'readable-stream', 'core-js', 'babel-core', 'graceful-fs', 'cross-spawn', 'execa',
  'zod', 'ajv', 'yaml', 'js-yaml', 'ws', 'got', 'undici', 'puppeteer', 'electron', 'vue', 'angular', 'next', 'nuxt',
  'sharp', 'jest', 'mocha', 'chai', 'sinon', 'crypto-js', 'bignumber.js', 'ethers', 'web3', 'discord.js', 'openai',
  'pg', 'sqlite3', 'better-sqlite3', 'knex', 'sequelize', 'prisma', 'ioredis', 'qs', 'ms', 'mime', 'mime-types',
  'ora', 'boxen', 'figlet', 'cli-table', 'nanoid', 'date-fns', 'dayjs', 'luxon', 'rxjs', 'immer', 'redux',
  'form-data', 'formidable', 'multer', 'busboy', 'archiver', 'yauzl', 'jszip', 'tar', 'adm-zip', 'xml2js',
  'fast-xml-parser', 'marked', 'markdown-it', 'highlight.js', 'handlebars', 'ejs', 'pug', 'mustache', 'nunjucks',
  'dotenv-expand', 'cross-env', 'concurrently', 'nodemon', 'pm2', 'esbuild', 'vite', 'rollup', 'terser', 'postcss',
];
const PYPI_TOP = [
  'requests', 'urllib3', 'boto3', 'botocore', 'setuptools', 'numpy', 'pandas', 'certifi', 'idna', 'charset-normalizer',
  'typing-extensions', 'python-dateutil', 'packaging', 'pyyaml', 'yaml', 'six', 'cryptography', 'cffi', 'pycparser',
  'attrs', 'pydantic', 'jinja2', 'markupsafe', 'click', 'pip', 'wheel', 'colorama', 'pytest', 'flask', 'django',
  'fastapi', 'starlette', 'uvicorn', 'httpx', 'httpcore', 'anyio', 'sniffio', 'aiohttp', 'multidict', 'yarl',
  'protobuf', 'grpcio', 'pyjwt', 'jwt', 'rsa', 'pyasn1', 'oauthlib', 'requests-oauthlib', 'google-auth', 'scipy',
  'matplotlib', 'pillow', 'beautifulsoup4', 'bs4', 'lxml', 'sqlalchemy', 'psycopg2', 'pymysql', 'redis', 'celery',
  'openai', 'anthropic', 'tiktoken', 'transformers', 'torch', 'tensorflow', 'scikit-learn', 'sklearn', 'tqdm', 'rich',
  'paramiko', 'psutil', 'selenium', 'websocket', 'websockets', 'dotenv', 'python-dotenv', 'simplejson', 'ujson',
  'orjson', 'toml', 'tomli', 'pytz', 'tzdata', 'regex', 'filelock', 'platformdirs', 'virtualenv', 'docutils',
  'crypto', 'pycryptodome', 'base64', 'subprocess', 'urllib', 'socket', 'logging', 'asyncio', 'json', 'typing', 'pathlib',
  'collections', 'datetime', 'hashlib', 'threading', 'tempfile', 'shutil', 'string', 'random', 'struct', 'sqlite3', 'mcp',
];
const KNOWN_SQUATS: Record<string, string> = { reqeusts: 'requests', requets: 'requests', urlib: 'urllib', crytpo: 'crypto', requestes: 'requests', 'python-sqlite': 'sqlite3' };

/** Real, popular packages that happen to sit one edit from another popular name. */
const LEGIT_NEIGHBOURS = new Set(['color', 'through', 'tslint', 'preact', 'globby', 'chalk', 'mysql2', 'redux', 'react-dom', 'typings', 'pytest-cov', 'attr', 'tomlkit', 'httpx-sse', 'anyio', 'types', 'queue', 'signal', 'select', 'errno', 'pprint', 'shlex', 'string', 'strings', 'codecs', 'socks', 'sockets', 'logger', 'loggers']);

const NODE_BUILTINS = new Set(['assert', 'buffer', 'child_process', 'cluster', 'console', 'constants', 'crypto', 'dgram', 'dns', 'domain', 'events', 'fs', 'http', 'http2', 'https', 'inspector', 'module', 'net', 'os', 'path', 'perf_hooks', 'process', 'punycode', 'querystring', 'readline', 'repl', 'stream', 'string_decoder', 'sys', 'timers', 'tls', 'trace_events', 'tty', 'url', 'util', 'v8', 'vm', 'wasi', 'worker_threads', 'zlib', 'test']);

function editDistanceAtMostOne(a: string, b: string): boolean {
  if (a === b) return false;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (a.length < b.length) j++;
    else if (a[i + 1] === b[j] && a[i] === b[j + 1]) {
      // adjacent transposition counts as one edit
      i += 2;
      j += 2;
    } else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

/** The popular package an import name imitates, if any. */
export function typosquatOf(moduleName: string, language: 'js' | 'python'): string | undefined {
  if (moduleName.startsWith('.') || moduleName.startsWith('/')) return undefined;
  const top = language === 'js' ? moduleName.replace(/^node:/, '').split('/').slice(0, moduleName.startsWith('@') ? 2 : 1).join('/') : (moduleName.split('.')[0] as string);
  const lower = language === 'python' ? top.toLowerCase().replace(/_/g, '-') : top.toLowerCase();
  if (LEGIT_NEIGHBOURS.has(lower)) return undefined;
  if (KNOWN_SQUATS[lower]) return KNOWN_SQUATS[lower];
  if (lower.length < 5 || lower.startsWith('@')) return undefined;
  const list = language === 'js' ? NPM_TOP : PYPI_TOP;
  if (list.includes(lower) || NODE_BUILTINS.has(lower)) return undefined;
  return list.find((p) => p.length >= 5 && editDistanceAtMostOne(lower, p));
}
