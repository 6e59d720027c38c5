package io.dovetail.storage.stream;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.protocol.OpenStreamRequest;
import io.dovetail.storage.partition.PartitionFile;
import io.dovetail.storage.partition.ShuffleId;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The open read streams, by id. A stream may be fetched from any connection of the client, and it
 * dies when the connection that opened it closes, on CLOSE_STREAM, or when its shuffle is deleted.
 * Thread-safe.
 */
public final class StreamManager {
  private static final AttributeKey<Set<Long>> STREAMS = AttributeKey.valueOf("dvt.streams");

  private final long readChunkSize;
  private final ConcurrentHashMap<Long, ReadStream> streams = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong();

  public StreamManager(long readChunkSize) {
    this.readChunkSize = readChunkSize;
  }

  /**
   * Plans and registers a stream over {@code file} for {@code channel}.
   *
   * @throws DovetailException when the file cannot be read
   */
  public ReadStream open(Channel channel, PartitionFile file, OpenStreamRequest req) {
    long id = nextId.incrementAndGet();
    ReadStream s = new ReadStream(id, channel, file, req, readChunkSize);
    streams.put(id, s);
    Set<Long> owned = channel.attr(STREAMS).get();
    if (owned == null) {
      Set<Long> fresh = ConcurrentHashMap.newKeySet();
      owned = channel.attr(STREAMS).setIfAbsent(fresh);
      if (owned == null) {
        owned = fresh;
      }
    }
    owned.add(id);
    if (!channel.isActive()) {
      // The connection closed while the stream was being opened.
      close(id);
      throw new DovetailException(ErrorCode.CONNECTION_FAILED, "connection closed");
    }
    return s;
  }

  /** The stream, or an UNKNOWN_STREAM failure. */
  public ReadStream get(long id) {
    ReadStream s = streams.get(id);
    if (s == null) {
      throw new DovetailException(ErrorCode.UNKNOWN_STREAM, "no open stream " + id
          + " (never opened, closed, or its connection or shuffle is gone)");
    }
    return s;
  }

  /** Closes a stream; false when there is none. */
  public boolean close(long id) {
    ReadStream s = streams.remove(id);
    if (s == null) {
      return false;
    }
    s.close();
    if (s.owner() instanceof Channel ch) {
      Set<Long> owned = ch.attr(STREAMS).get();
      if (owned != null) {
        owned.remove(id);
      }
    }
    return true;
  }

  /** Closes every stream the channel opened. */
  public void channelClosed(Channel channel) {
    Set<Long> owned = channel.attr(STREAMS).getAndSet(null);
    if (owned != null) {
      for (Long id : owned) {
        ReadStream s = streams.remove(id);
        if (s != null) {
          s.close();
        }
      }
    }
  }

  /** Closes the streams over files of a deleted shuffle. */
  public void closeShuffle(ShuffleId shuffle) {
    List<Long> ids = new ArrayList<>();
    for (ReadStream s : streams.values()) {
      if (s.file().key().shuffle().equals(shuffle)) {
        ids.add(s.id());
      }
    }
    ids.forEach(this::close);
  }

  public int openStreams() {
    return streams.size();
  }

  /** Closes everything (server shutdown). */
  public void closeAll() {
    new ArrayList<>(streams.keySet()).forEach(this::close);
  }
}
