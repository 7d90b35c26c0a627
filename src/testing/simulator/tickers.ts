/**
 * Realistic, unique, deterministic market tickers: market `i` always gets the same ticker, and no two
 * indices collide. Shapes follow real Kalshi series (crypto strikes, baseball games, tennis matches,
 * temperature brackets, gold hourly strikes, home-run props).
 */

/** A generated market: its ticker and its event ticker (the ticker up to the last dash). */
export interface GeneratedTicker {
  /** Market ticker, e.g. `KXBTCD-26NOV2317-T98999.99`. */
  readonly ticker: string;
  /** Event ticker: the market ticker up to its last dash. */
  readonly eventTicker: string;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const TEAMS = ['MIA', 'PHI', 'NYY', 'BAL', 'SEA', 'MIL', 'BOS', 'TOR', 'LAD', 'SFG', 'CHC', 'STL', 'HOU', 'TEX', 'ATL', 'NYM'] as const;
const PLAYERS = ['FAR', 'MUS', 'BOR', 'NAK', 'SIN', 'ALC', 'ZVE', 'MED', 'RUU', 'FRI', 'DJO', 'TSI'] as const;
const CITIES = ['CHI', 'NY', 'MIA', 'AUS', 'DEN', 'LAX', 'PHIL'] as const;
const BASE_DAY = Date.UTC(2026, 7, 19);
const DAY_MS = 86_400_000;

const dates: string[] = [];
const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));

/** `26AUG19` for day 0, memoised (a million tickers share a few thousand dates). */
function date(day: number): string {
  let text = dates[day];
  if (text === undefined) {
    const d = new Date(BASE_DAY + day * DAY_MS);
    text = `${TWO_DIGITS[d.getUTCFullYear() % 100]!}${MONTHS[d.getUTCMonth()]!}${TWO_DIGITS[d.getUTCDate()]!}`;
    dates[day] = text;
  }
  return text;
}

function two(n: number): string {
  return TWO_DIGITS[n]!;
}

/** Pick an ordered pair of distinct entries of `list` from `n` (n < len * (len - 1)). */
function pair(list: readonly string[], n: number): [string, string] {
  const len = list.length;
  const a = n % len;
  const b = (a + 1 + Math.floor(n / len)) % len;
  return [list[a]!, list[b]!];
}

type Template = { readonly perEvent: number; readonly make: (event: number, j: number) => GeneratedTicker };

/** `SERIES-26AUG1917`: one event per hour, `perEvent` strikes from `base` in steps of `step` (`-T<strike - 0.01>`). */
function hourlyStrikes(series: string, perEvent: number, base: number, step: number): Template {
  return {
    perEvent,
    make: (e, j) => {
      const ev = `${series}-${date(Math.floor(e / 24))}${two(e % 24)}`;
      return { ticker: `${ev}-T${base + j * step - 1}.99`, eventTicker: ev };
    },
  };
}

/** The event ticker of baseball game `e` of a series (`SERIES-26AUG191805MIAPHI`: 48 slots a day) and its teams. */
function baseballGame(series: string, e: number): { readonly ev: string; readonly home: string; readonly away: string } {
  const teamPairs = TEAMS.length * (TEAMS.length - 1);
  const [home, away] = pair(TEAMS, e % teamPairs);
  const rest = Math.floor(e / teamPairs);
  const slot = rest % 48;
  const ev = `${series}-${date(Math.floor(rest / 48))}${two(12 + Math.floor(slot / 4))}${two((slot % 4) * 15)}${home}${away}`;
  return { ev, home, away };
}

const TEMPLATES: readonly Template[] = [
  // KXBTCD-26NOV2317-T98999.99: one event per hour, 40 strikes 250 apart.
  hourlyStrikes('KXBTCD', 40, 90_000, 250),
  {
    // KXMLBGAME-26AUG191805MIAPHI-PHI: two outcomes per game.
    perEvent: 2,
    make: (e, j) => {
      const { ev, home, away } = baseballGame('KXMLBGAME', e);
      return { ticker: `${ev}-${j === 0 ? home : away}`, eventTicker: ev };
    },
  },
  {
    // KXATPMATCH-26AUG19FARMUS-MUS
    perEvent: 2,
    make: (e, j) => {
      const pairs = PLAYERS.length * (PLAYERS.length - 1);
      const [p1, p2] = pair(PLAYERS, e % pairs);
      const ev = `KXATPMATCH-${date(Math.floor(e / pairs))}${p1}${p2}`;
      return { ticker: `${ev}-${j === 0 ? p1 : p2}`, eventTicker: ev };
    },
  },
  {
    // KXHIGHCHI-25OCT02-B80.5: six temperature brackets per city and day.
    perEvent: 6,
    make: (e, j) => {
      const city = CITIES[e % CITIES.length]!;
      const ev = `KXHIGH${city}-${date(Math.floor(e / CITIES.length))}`;
      return { ticker: `${ev}-B${70 + j * 2}.5`, eventTicker: ev };
    },
  },
  // KXGOLDH-26AUG2711-T4615.99: hourly gold strikes.
  hourlyStrikes('KXGOLDH', 20, 4600, 2),
  {
    // KXMLBHR-26AUG191805MIAPHI-MIAGCONINE18-1: player home-run props, 9 per team-game.
    perEvent: 9,
    make: (e, j) => {
      const { ev, home } = baseballGame('KXMLBHR', e);
      return { ticker: `${ev}-${home}P${two(j + 1)}-1`, eventTicker: ev };
    },
  },
];

/**
 * The ticker of generated market `index` (0-based). Deterministic and collision-free across indices.
 * @example
 * generateTicker(0).ticker // 'KXBTCD-26AUG1900-T89999.99'
 */
export function generateTicker(index: number): GeneratedTicker {
  const template = TEMPLATES[index % TEMPLATES.length]!;
  const ordinal = Math.floor(index / TEMPLATES.length);
  const made = template.make(Math.floor(ordinal / template.perEvent), ordinal % template.perEvent);
  return { ticker: flat(made.ticker), eventTicker: made.eventTicker };
}

/**
 * Flatten a concatenated string. Template literals build rope (cons) strings that cost about
 * 220 bytes each; a million tickers must be flat.
 */
export function flat(text: string): string {
  // Reading a character makes V8 flatten the rope in place (about 60 instead of 220 bytes a ticker).
  void text.charCodeAt(0);
  return text;
}

/**
 * The event ticker of a market ticker: its first two dash-separated parts (`SERIES-EVENT`), or the
 * ticker itself when it has fewer than three parts.
 */
export function eventTickerOf(ticker: string): string {
  const first = ticker.indexOf('-');
  const second = first === -1 ? -1 : ticker.indexOf('-', first + 1);
  return second === -1 ? ticker : ticker.slice(0, second);
}
