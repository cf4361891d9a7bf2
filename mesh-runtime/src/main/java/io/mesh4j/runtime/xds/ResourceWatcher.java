package io.mesh4j.runtime.xds;

/**
 * Receives what the control plane says of one resource. Called on the client's serial context, never concurrently.
 *
 * @param <T> the decoded value
 */
public interface ResourceWatcher<T> {

  /** A new valid value (also given at once to a watcher that subscribes to a resource already known). */
  void onChanged(T value);

  /** The control plane said the resource does not exist, or it did not send it within the initial fetch timeout. */
  void onResourceDoesNotExist(String name);

  /**
   * The resource was rejected or the stream broke; the last value given to {@link #onChanged} stays valid, and
   * the watcher should keep using it.
   */
  void onError(String detail);
}
