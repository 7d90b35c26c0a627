/**
 * `kalshi-ws-pool/prometheus`: prom-client metrics for a connection manager.
 * @packageDocumentation
 */
export {};
