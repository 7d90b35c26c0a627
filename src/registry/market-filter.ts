import type { ResolvedRestRegistryOptions, RestMarket } from './rest-registry-options';

/** Decides which markets the REST registry holds; see `RestMarketFilter`. */
export interface MarketFilter {
  /** Whether the filter selects anything narrower than "every open market". */
  readonly active: boolean;
  /** A market object from REST: prefixes, then the predicate. */
  acceptsMarket(market: RestMarket): boolean;
  /** A market known only by tickers (lifecycle frame): prefixes only. */
  acceptsTickers(ticker: string, eventTicker: string | undefined, seriesTicker: string | undefined): boolean;
}

function startsWithAny(value: string, prefixes: readonly string[]): boolean {
  for (const prefix of prefixes) if (value.startsWith(prefix)) return true;
  return false;
}

// Kalshi tickers nest: series `KXBTCD`, event `KXBTCD-26NOV2317`, market `KXBTCD-26NOV2317-T98999.99`.
// So when a field is missing, the series is the first dash segment and the market ticker starts with its event.
function firstSegment(ticker: string): string {
  const dash = ticker.indexOf('-');
  return dash === -1 ? ticker : ticker.slice(0, dash);
}

/** Builds the filter from resolved options. */
export function createMarketFilter(options: Pick<ResolvedRestRegistryOptions, 'seriesPrefixes' | 'eventPrefixes' | 'predicate'>): MarketFilter {
  const { seriesPrefixes, eventPrefixes, predicate } = options;
  const hasPrefixes = seriesPrefixes.length > 0 || eventPrefixes.length > 0;

  function acceptsTickers(ticker: string, eventTicker: string | undefined, seriesTicker: string | undefined): boolean {
    if (!hasPrefixes) return true;
    const series = seriesTicker ?? firstSegment(eventTicker ?? ticker);
    if (startsWithAny(series, seriesPrefixes)) return true;
    return startsWithAny(eventTicker ?? ticker, eventPrefixes);
  }

  return {
    active: hasPrefixes || predicate !== undefined,
    acceptsTickers,
    acceptsMarket(market) {
      const event = typeof market.event_ticker === 'string' && market.event_ticker !== '' ? market.event_ticker : undefined;
      const series = typeof market.series_ticker === 'string' && market.series_ticker !== '' ? market.series_ticker : undefined;
      if (!acceptsTickers(market.ticker, event, series)) return false;
      return predicate === undefined || predicate(market);
    },
  };
}
