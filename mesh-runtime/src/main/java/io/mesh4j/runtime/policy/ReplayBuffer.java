package io.mesh4j.runtime.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The request messages a call must send again on a retry, up to a byte limit, as gRPC's per-call retry buffer:
 * once the messages sent pass the limit the call can no longer be replayed and commits to its attempt. Not
 * thread-safe: the owning call guards it. Transport-neutral (a message is anything with a size), so an HTTP
 * client can keep a streamed body's chunks the same way.
 *
 * @param <M> the message type
 */
public final class ReplayBuffer<M> {
  /** gRPC's default per-call retry buffer ({@code perRpcBufferLimit}, 1 MiB). */
  public static final long DEFAULT_LIMIT = 1 << 20;

  private final long limit;
  /** The only message kept, as a unary call has, without a list (a message may be null: {@link #kept} counts). */
  private M single;
  private int kept;
  /** Every message kept once there are two or more, oldest first; null until then. */
  private List<M> many;
  private long bytes;
  private boolean overflowed;

  public ReplayBuffer(long limit) {
    this.limit = limit;
  }

  /**
   * Keeps {@code message} ({@code size} bytes) for a replay. Returns false, keeping nothing more, once the messages
   * so far pass the limit: from then on the call cannot be replayed ({@link #overflowed()}).
   */
  public boolean retain(M message, long size) {
    if (overflowed) {
      return false;
    }
    bytes += size;
    if (bytes > limit) {
      overflowed = true;
      return false;
    }
    add(message);
    return true;
  }

  /**
   * Keeps {@code message} whatever the limit: a committed call between two attempts (a message sent during the
   * back-off) still owes the next attempt every message.
   */
  public void hold(M message) {
    add(message);
  }

  private void add(M message) {
    if (many != null) {
      many.add(message);
    } else if (kept == 0) {
      single = message;
    } else {
      many = new ArrayList<>();
      many.add(single);
      many.add(message);
      single = null;
    }
    kept++;
  }

  public boolean overflowed() {
    return overflowed;
  }

  /** The messages kept, oldest first. */
  public List<M> messages() {
    if (many != null) {
      return many;
    }
    return kept == 0 ? List.of() : Collections.singletonList(single);
  }

  /** Drops the messages (the call committed or ended); the byte count stays, so the limit still holds. */
  public void clear() {
    single = null;
    many = null;
    kept = 0;
  }
}
