package io.mesh4j.samples.controlplane;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back when the configuration files of a directory change, once per burst of changes.
 *
 * <p>Editors save in several steps (truncate and write, or write a temporary file and rename it), so a change is
 * reported only after the directory has been quiet for the debounce period. The {@link WatchService} gives prompt
 * notice where the file system supports it; a periodic check of the files' contents catches what it misses (network
 * and container file systems, a directory replaced through a symbolic link) and is the only source when no watch
 * service is available.
 */
final class DirectoryWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DirectoryWatcher.class);

  private final Path directory;
  private final Duration debounce;
  private final Duration pollInterval;
  private final boolean pollingOnly;
  private final Runnable onChange;
  private final Thread thread;
  private volatile boolean closed;

  private DirectoryWatcher(
      Path directory, Duration debounce, Duration pollInterval, boolean pollingOnly, Runnable onChange) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.debounce = Objects.requireNonNull(debounce, "debounce");
    this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
    this.pollingOnly = pollingOnly;
    this.onChange = Objects.requireNonNull(onChange, "onChange");
    this.thread = new Thread(this::run, "mesh4j-config-watcher");
    thread.setDaemon(true);
  }

  /**
   * Starts watching. {@code onChange} runs on the watcher's thread after each burst of changes.
   *
   * @param pollingOnly do not use the {@link WatchService}, only the periodic check
   */
  static DirectoryWatcher start(
      Path directory, Duration debounce, Duration pollInterval, boolean pollingOnly, Runnable onChange) {
    DirectoryWatcher watcher = new DirectoryWatcher(directory, debounce, pollInterval, pollingOnly, onChange);
    watcher.thread.start();
    return watcher;
  }

  private void run() {
    WatchService watchService = pollingOnly ? null : openWatchService();
    try {
      ChangeDebounce burst = new ChangeDebounce(debounce.toNanos());
      long fingerprint = fingerprint(directory);
      long nextPoll = System.nanoTime() + pollInterval.toNanos();
      while (!closed) {
        long waitNanos = Math.max(0, burst.wakeAt(nextPoll) - System.nanoTime());
        if (watchService != null) {
          WatchKey key = watchService.poll(waitNanos, TimeUnit.NANOSECONDS);
          if (key != null) {
            boolean relevant = !key.pollEvents().isEmpty();
            key.reset();
            if (relevant) {
              burst.changed(System.nanoTime());
            }
          }
        } else {
          TimeUnit.NANOSECONDS.sleep(waitNanos);
        }
        long now = System.nanoTime();
        if (now - nextPoll >= 0) {
          nextPoll = now + pollInterval.toNanos();
          long current = fingerprint(directory);
          if (current != fingerprint) {
            fingerprint = current;
            burst.changed(now);
          }
        }
        if (burst.settled(now)) {
          fingerprint = fingerprint(directory);
          notifyChange();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeQuietly(watchService);
    }
  }

  private WatchService openWatchService() {
    try {
      WatchService service = directory.getFileSystem().newWatchService();
      directory.register(service, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
      return service;
    } catch (IOException | UnsupportedOperationException e) {
      log.info("no file-system notifications for {} ({}); checking it every {} ms",
          directory, e, pollInterval.toMillis());
      return null;
    }
  }

  private void notifyChange() {
    try {
      onChange.run();
    } catch (RuntimeException e) {
      log.error("reacting to a change in {} failed", directory, e);
    }
  }

  /** A checksum of the names and contents of the configuration files; they are small, so reading them is cheap. */
  static long fingerprint(Path directory) {
    CRC32 crc = new CRC32();
    try {
      for (Path file : ResourceFiles.list(directory)) {
        crc.update(file.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        crc.update(0);
        crc.update(Files.readAllBytes(file));
        crc.update(0);
      }
    } catch (IOException e) {
      // A file removed or renamed mid-read: the next check sees the settled state.
      return -1;
    }
    return crc.getValue();
  }

  private static void closeQuietly(WatchService watchService) {
    if (watchService == null) {
      return;
    }
    try {
      watchService.close();
    } catch (IOException e) {
      log.debug("closing the watch service failed", e);
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
