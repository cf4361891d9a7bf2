package io.mesh4j.runtime.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persisted last-good config: one file per accepted resource in a directory the application chose, read at
 * start so that a process can serve while no control plane answers.
 *
 * <p>A file is {@code MESH4JXC} (8 bytes), the format version (int), the type URL, the resource name and the
 * response's {@code version_info} (modified UTF-8), when it was accepted (epoch milliseconds), the length and bytes
 * of the resource as an {@code Any}, and a CRC-32C of everything before it. It is written to a temporary file in the
 * same directory, forced to disk, renamed over the old one and the directory forced, so a crash leaves the old file
 * or the new one, never half of one. A file that is truncated, fails its checksum, has another magic or format
 * version, or names another resource than its file name says is reported (logged and listed in {@link
 * #problems()}) and skipped.
 *
 * <p>Secrets: a secret holding a certificate's private key ({@code tls_certificate}) or an opaque {@code
 * generic_secret} is never written; only trust bundles ({@code validation_context}) are.
 *
 * <p>{@link #accepted} and {@link #removed} are called on the xDS client's context (for a resource whose content
 * changed, not for every resend of a state-of-the-world response) and only queue: a thread of the cache's own
 * writes, coalescing repeated updates of a resource into the newest.
 */
public final class FileResourceCache implements ResourceCache {
  private static final Logger log = LoggerFactory.getLogger(FileResourceCache.class);

  static final byte[] MAGIC = "MESH4JXC".getBytes(StandardCharsets.US_ASCII);
  static final int FORMAT_VERSION = 1;
  static final String SUFFIX = ".xdsc";
  /** Larger files are not what we write: read no further. */
  private static final int MAX_RESOURCE_BYTES = 64 << 20;

  private final Path directory;
  private final Map<String, Entry> loaded;
  private final List<String> problems = new CopyOnWriteArrayList<>();
  /** The keys the directory holds a file for (or is about to). */
  private final java.util.Set<String> onDisk = ConcurrentHashMap.newKeySet();
  /** Per key, the newest write or delete not yet done; {@code null} value means delete. */
  private final Map<String, Pending> pending = new LinkedHashMap<>();
  private final ExecutorService writer;

  private FileResourceCache(Path directory) {
    this.directory = directory;
    this.loaded = new HashMap<>();
    this.writer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "mesh4j-config-cache");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Opens (creating it if needed) the cache in {@code directory} and reads what it holds. Never fails for what is in
   * the directory; fails only if the directory cannot be created.
   */
  public static FileResourceCache open(Path directory) throws IOException {
    Files.createDirectories(directory);
    FileResourceCache cache = new FileResourceCache(directory);
    cache.load();
    return cache;
  }

  @Override
  public String source() {
    return "cache:" + directory;
  }

  /** Files that were reported and skipped, each with the reason. */
  public List<String> problems() {
    return List.copyOf(problems);
  }

  /** How many resources read from the directory at start are still held (none once a server has answered). */
  public int loadedCount() {
    return loaded.size();
  }

  @Override
  public Entry lookup(String typeUrl, String name) {
    return loaded.get(key(typeUrl, name));
  }

  /** Drops the copies read at start: the config lives in the client from now on, not twice. */
  @Override
  public void startupOver() {
    loaded.clear();
  }

  @Override
  public void accepted(XdsResourceType<?> type, String name, String version, Message resource, Instant acceptedAt) {
    if (!persistable(resource)) {
      return;
    }
    String key = key(type.typeUrl(), name);
    onDisk.add(key);
    enqueue(key, new Pending(type.typeUrl(), name, version, acceptedAt, Any.pack(resource)));
  }

  @Override
  public void removed(XdsResourceType<?> type, String name) {
    String key = key(type.typeUrl(), name);
    if (!onDisk.remove(key)) {
      return;
    }
    enqueue(key, null);
  }

  /** Finishes pending writes (waiting a few seconds at most) and stops the writer. */
  @Override
  public void close() {
    writer.shutdown();
    try {
      if (!writer.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("config cache: pending writes to {} abandoned at close", directory);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until every queued write is on disk; for tests and orderly shutdown. */
  public void flush() throws InterruptedException {
    var done = new java.util.concurrent.CountDownLatch(1);
    try {
      writer.execute(done::countDown);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return;
    }
    done.await();
  }

  private void enqueue(String key, Pending write) {
    boolean schedule;
    synchronized (pending) {
      schedule = !pending.containsKey(key);
      pending.put(key, write);
    }
    if (schedule) {
      try {
        writer.execute(() -> drain(key));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // Closed: the process is going away, and the files hold the previous good state.
      }
    }
  }

  private void drain(String key) {
    Pending write;
    synchronized (pending) {
      if (!pending.containsKey(key)) {
        return;
      }
      write = pending.remove(key);
    }
    Path file = directory.resolve(fileName(key));
    try {
      if (write == null) {
        Files.deleteIfExists(file);
        forceDirectory();
      } else {
        writeAtomically(file, encode(write));
      }
    } catch (IOException | RuntimeException e) {
      log.warn("config cache: cannot write {}: {}", file, e.toString());
    }
  }

  private void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path temp = Files.createTempFile(directory, ".tmp-", SUFFIX);
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      forceDirectory();
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Makes the rename itself durable; not every platform can open a directory, and there it is skipped. */
  private void forceDirectory() {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Windows: directories cannot be opened; the rename is as durable as the file system makes it.
    }
  }

  static byte[] encode(Pending write) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + write.resource.getSerializedSize());
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(MAGIC);
    out.writeInt(FORMAT_VERSION);
    out.writeUTF(write.typeUrl);
    out.writeUTF(write.name);
    out.writeUTF(write.version);
    out.writeLong(write.acceptedAt.toEpochMilli());
    byte[] payload = write.resource.toByteArray();
    out.writeInt(payload.length);
    out.write(payload);
    out.flush();
    CRC32C crc = new CRC32C();
    crc.update(bytes.toByteArray());
    out.writeLong(crc.getValue());
    out.flush();
    return bytes.toByteArray();
  }

  private void load() throws IOException {
    int skipped = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
      for (Path file : files) {
        String fileName = file.getFileName().toString();
        if (fileName.startsWith(".tmp-")) {
          Files.deleteIfExists(file); // a write that a crash interrupted; the previous file is intact
          continue;
        }
        if (!Files.isRegularFile(file)) {
          continue;
        }
        try {
          Decoded decoded = decode(Files.readAllBytes(file));
          String key = key(decoded.typeUrl, decoded.name);
          if (!fileName.equals(fileName(key))) {
            throw new IOException("holds " + decoded.typeUrl + " '" + decoded.name + "', not what its name says");
          }
          loaded.put(key, new Entry(decoded.version, decoded.acceptedAt, decoded.resource));
          onDisk.add(key);
        } catch (IOException | RuntimeException e) {
          skipped++;
          String problem = file + ": " + e.getMessage();
          problems.add(problem);
          log.warn("config cache: skipping {}", problem);
        }
      }
    }
    log.info("config cache {}: {} resources read{}", directory, loaded.size(),
        skipped == 0 ? "" : ", " + skipped + " files skipped");
  }

  static Decoded decode(byte[] bytes) throws IOException {
    for (int i = 0; i < MAGIC.length; i++) {
      if (i >= bytes.length || bytes[i] != MAGIC[i]) {
        throw new IOException(i >= bytes.length && i > 0 ? "truncated (" + bytes.length + " bytes)"
            : "not a mesh4j config cache file");
      }
    }
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes));
    try {
      in.skipNBytes(MAGIC.length);
      int format = in.readInt();
      if (format != FORMAT_VERSION) {
        throw new IOException("format version " + format + ", this mesh4j reads " + FORMAT_VERSION);
      }
      String typeUrl = in.readUTF();
      String name = in.readUTF();
      String version = in.readUTF();
      Instant acceptedAt = Instant.ofEpochMilli(in.readLong());
      int length = in.readInt();
      if (length < 0 || length > MAX_RESOURCE_BYTES || length > bytes.length) {
        throw new IOException("truncated or corrupt: resource length " + length);
      }
      byte[] payload = in.readNBytes(length);
      if (payload.length != length) {
        throw new IOException("truncated: resource cut short");
      }
      int checked = bytes.length - in.available();
      long stored = in.readLong();
      CRC32C crc = new CRC32C();
      crc.update(bytes, 0, checked);
      if (crc.getValue() != stored) {
        throw new IOException("checksum mismatch");
      }
      if (in.available() != 0) {
        throw new IOException("trailing bytes after the checksum");
      }
      Any resource = Any.parseFrom(payload);
      if (!resource.getTypeUrl().equals(typeUrl)) {
        throw new IOException("resource of type " + resource.getTypeUrl() + " filed as " + typeUrl);
      }
      return new Decoded(typeUrl, name, version, acceptedAt, resource);
    } catch (EOFException e) {
      throw new IOException("truncated");
    }
  }

  /** Never the private key of a certificate, nor an opaque secret. */
  static boolean persistable(Message resource) {
    if (resource instanceof Secret secret) {
      return !secret.hasTlsCertificate() && !secret.hasGenericSecret() && !secret.hasSessionTicketKeys();
    }
    return true;
  }

  private static String key(String typeUrl, String name) {
    return typeUrl + "\n" + name;
  }

  /** A file name from the key: names may hold any character, so the file is named by a digest of type and name. */
  static String fileName(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 20) + SUFFIX;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String fileName(String typeUrl, String name) {
    return fileName(key(typeUrl, name));
  }

  record Pending(String typeUrl, String name, String version, Instant acceptedAt, Any resource) {}

  record Decoded(String typeUrl, String name, String version, Instant acceptedAt, Any resource) {}
}
