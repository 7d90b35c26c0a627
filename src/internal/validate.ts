/**
 * The one set of option checks every resolver uses (manager, client, REST registry, simulator, metrics),
 * so the same kind of option is accepted and reported the same way everywhere. Each check throws a
 * `ConfigError` naming the option as the user wrote it (its dotted path) and the bad value.
 * @packageDocumentation
 */
import { ConfigError } from '../errors';
import { closestName } from './closest-name';

/** Largest delay Node's timers accept; a larger one is clamped to 1 ms, so every duration stops here. */
export const MAX_DURATION_MS = 2_147_483_647;

/** Largest byte or count limit that survives `| 0` in ws and fits an `Int32Array`. */
export const MAX_INT32 = 2_147_483_647;

/** A plain options object, read key by key. */
export type OptionBag = Readonly<Record<string, unknown>>;

/** Short, secret-free rendering of a bad value for an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/**
 * Reads an options object at `path` (`''` for the top level): `undefined` is `{}`, anything but a plain
 * object is rejected, and so is every key not in `known` (with the nearest known name suggested).
 * @throws {ConfigError} naming `path` or the unknown key.
 */
export function readOptions(value: unknown, path: string, known: readonly string[]): OptionBag {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(path === '' ? 'options' : path, `must be an object, got ${describeValue(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const near = closestName(key, known);
    const option = join(path, key);
    const hint = near === undefined ? `; valid options are ${known.map((k) => `'${k}'`).join(', ')}` : `; did you mean '${join(path, near)}'?`;
    throw new ConfigError(option, `unknown option '${option}'${hint}`);
  }
  return value as OptionBag;
}

/** Bounds of a numeric option. */
export interface NumberRule {
  /** Smallest value allowed. @default 0 */
  readonly min?: number;
  /** Largest value allowed (Infinity passes only with `infinite`). @default Number.MAX_VALUE */
  readonly max?: number;
  /** `min` itself is not allowed (e.g. rates that must be > 0). @default false */
  readonly exclusiveMin?: boolean;
  /** Whole numbers only. @default false */
  readonly integer?: boolean;
  /** `Infinity` is allowed (meaning "no limit"). @default false */
  readonly infinite?: boolean;
}

/**
 * A number within `rule`, or `fallback` when `value` is undefined.
 * @throws {ConfigError} naming `path`.
 */
export function readNumber(value: unknown, fallback: number, path: string, rule: NumberRule = {}): number {
  if (value === undefined) return fallback;
  const min = rule.min ?? 0;
  const max = rule.max ?? Number.MAX_VALUE;
  const infinite = rule.infinite === true && value === Number.POSITIVE_INFINITY;
  const ok =
    typeof value === 'number' &&
    (infinite ||
      (Number.isFinite(value) &&
        (rule.exclusiveMin === true ? value > min : value >= min) &&
        value <= max &&
        (rule.integer !== true || Number.isInteger(value))));
  if (!ok) {
    const kind = rule.integer === true ? 'an integer' : 'a number';
    const low = `${rule.exclusiveMin === true ? '>' : '>='} ${min}`;
    const high = max === Number.MAX_VALUE ? '' : ` and <= ${max}`;
    const inf = rule.infinite === true ? ' (or Infinity)' : '';
    throw new ConfigError(path, `must be ${kind} ${low}${high}${inf}, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * A duration in ms: finite, >= 0 (or > 0 without `allowZero`) and at most {@link MAX_DURATION_MS}.
 * @throws {ConfigError} naming `path`.
 */
export function readDuration(value: unknown, fallback: number, path: string, allowZero = true): number {
  return readNumber(value, fallback, path, { min: 0, exclusiveMin: !allowZero, max: MAX_DURATION_MS });
}

/**
 * A boolean, or `fallback` when undefined.
 * @throws {ConfigError} naming `path`.
 */
export function readBoolean(value: unknown, fallback: boolean, path: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(path, `must be a boolean, got ${describeValue(value)}`);
  return value;
}

/**
 * One of `allowed`, or `fallback` when undefined.
 * @throws {ConfigError} naming `path` and listing the allowed values.
 */
export function readOneOf<T extends string>(value: unknown, fallback: T, path: string, allowed: readonly T[]): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(path, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describeValue(value)}`);
  }
  return value as T;
}

/**
 * Checks that `value` is an object with every method in `methods` (a port: clock, logger, registry, ...).
 * @throws {ConfigError} naming `path` and the missing method.
 */
export function requireMethods(value: unknown, path: string, methods: readonly string[]): void {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
    throw new ConfigError(path, `must be an object with ${methods.join(', ')}, got ${describeValue(value)}`);
  }
  for (const method of methods) {
    if (typeof (value as OptionBag)[method] !== 'function') throw new ConfigError(path, `must have a ${method}() method`);
  }
}
