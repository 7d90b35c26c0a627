/**
 * `kalshi-ws-pool/testing`: a protocol-faithful Kalshi simulator and an in-memory fake client.
 * @packageDocumentation
 */

// simulator (exports added by the simulator)

// fake client (exports added by the fake client)
export {};
