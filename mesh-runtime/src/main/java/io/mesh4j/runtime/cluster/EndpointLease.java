package io.mesh4j.runtime.cluster;

import io.mesh4j.runtime.model.LbEndpoint;

/**
 * One request's hold on the endpoint it was sent to. The transport calls {@link #release()} exactly once when the
 * request is over (response body closed or consumed, or the call failed), which keeps the active-request counts that
 * LEAST_REQUEST reads, and {@link #connectFailed()} when the endpoint refused or dropped the connection before
 * answering, which takes the endpoint out of rotation until it accepts connections again.
 */
public interface EndpointLease {

  LbEndpoint endpoint();

  /** The request is over. Call exactly once. */
  void release();

  /** The endpoint could not be connected to (refused, unreachable, reset before a response). */
  void connectFailed();
}
