package io.mesh4j.samples.interop;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Sends one test RPC and reports how it ended; one per client "channel". */
interface RpcTransport extends AutoCloseable {

  /** Sends asynchronously; {@code done} is called exactly once. */
  void send(RpcType type, List<Map.Entry<String, String>> metadata, int timeoutSec, Consumer<RpcOutcome> done);

  @Override
  void close();
}
