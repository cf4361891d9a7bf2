package io.mesh4j.runtime.inbound;

import java.util.concurrent.CompletionStage;

/**
 * One port the application serves under the mesh, configured by its server listener (the bootstrap's {@code
 * server_listener_resource_name_template} with {@code ip:port}). What every server adapter holds: it reads the latest
 * listener without locks.
 */
public interface InboundPort extends AutoCloseable {

  /** The port served. */
  int port();

  /**
   * Completes when the first good listener for this port arrived; until then the port does not serve mesh traffic
   * ({@link #chainFor} answers null).
   */
  CompletionStage<Void> ready();

  /**
   * The chain for a new connection, by the listener's {@code filter_chain_match}es (most specific match) or its
   * default chain.
   *
   * @return null when no listener has arrived yet or no chain matches: the adapter closes the connection
   */
  InboundChain chainFor(ConnectionFacts facts);

  /** Stops watching the listener. */
  @Override
  void close();
}
