/**
 * `kalshi-ws-pool/books`: typed Kalshi frames, exact fixed-point numbers and gap-aware order books,
 * an opt-in layer over the pool's `RawMessage`s. See `docs/books.md`.
 * @packageDocumentation
 */
export { parseFrame, frameFromObject } from '../frames/parse-frame';
export { FrameError } from '../frames/frame-error';
export type {
  ErrorFrame,
  EventFeeUpdateFrame,
  EventLifecycleFrame,
  FrameEnvelope,
  KalshiFrame,
  Level,
  MarketLifecycleEventType,
  MarketLifecycleFrame,
  OkFrame,
  OrderbookDeltaFrame,
  OrderbookSnapshotFrame,
  Side,
  SubscribedFrame,
  SubscriptionListEntry,
  TickerFrame,
  TradeFrame,
  UnknownFrame,
  UnsubscribedFrame,
} from '../frames/frame-types';
export { PRICE_TICKS_PER_DOLLAR, SIZE_UNITS_PER_CONTRACT, formatPrice, formatSize, parsePrice, parseSize } from '../numbers/exact';
export { OrderBook } from './order-book';
export type { OrderBookView } from './order-book';
export { createBookStore } from './book-store';
export type { BookChangeListener, BookEntry, BookInput, BookState, BookStore, BookStoreStats } from './book-store';
export { BOOK_STORE_DEFAULTS } from './book-store-options';
export type { BookStoreOptions, RestBackupOptions } from './book-store-options';
export { createKalshiRestBookFetcher, createRestBookFetcher, decodeRestOrderbook, restOrderbookPath } from './rest-orderbook';
export type { KalshiRestBookFetcherOptions, RestBookFetcher, RestBookFetcherOptions, RestOrderbook } from './rest-orderbook';
