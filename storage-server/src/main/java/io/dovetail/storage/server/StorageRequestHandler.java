package io.dovetail.storage.server;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.protocol.ChunkResponse;
import io.dovetail.common.protocol.CloseStreamRequest;
import io.dovetail.common.protocol.FetchChunkRequest;
import io.dovetail.common.protocol.Message;
import io.dovetail.common.protocol.OpenStreamRequest;
import io.dovetail.common.protocol.PushRequest;
import io.dovetail.common.protocol.SealRequest;
import io.dovetail.common.protocol.StatusResponse;
import io.dovetail.common.protocol.StreamOpened;
import io.dovetail.common.transport.NettyUtils;
import io.dovetail.common.transport.RequestHandler;
import io.dovetail.storage.memory.Chunk;
import io.dovetail.storage.partition.PartitionFile;
import io.dovetail.storage.stream.ReadStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage server's {@link RequestHandler}: PUSH (see {@link PushHandler}), SEAL, OPEN_STREAM,
 * FETCH_CHUNK, CLOSE_STREAM. Runs on event loops and never blocks: seals are answered from the
 * flusher that completes them, and a stream over a file whose index is not loaded yet is opened on
 * the worker executor. Thread-safe.
 *
 * <p>Ownership: every request is released here (or by the PushHandler) and its memory admission
 * given back. A CHUNK response takes over its body; memory chunks pinned for a body are released
 * when its write completes.
 */
public final class StorageRequestHandler implements RequestHandler {
  private static final Logger LOG = LoggerFactory.getLogger(StorageRequestHandler.class);

  private final ServerContext ctx;
  private final PushHandler push;

  public StorageRequestHandler(ServerContext ctx) {
    this.ctx = ctx;
    this.push = new PushHandler(ctx);
  }

  @Override
  public void handle(Channel ch, Message request) {
    switch (request.type()) {
      case PUSH, PUSH_FORWARD -> push.handle(ch, (PushRequest) request);
      case SEAL, OPEN_STREAM, FETCH_CHUNK, CLOSE_STREAM -> {
        // Decoded into fields already: a large frame's admission is no longer needed.
        ctx.budget.release(request.admittedBytes());
        switch (request.type()) {
          case SEAL -> seal(ch, (SealRequest) request);
          case OPEN_STREAM -> openStream(ch, (OpenStreamRequest) request);
          case FETCH_CHUNK -> fetch(ch, (FetchChunkRequest) request);
          default -> closeStream(ch, (CloseStreamRequest) request);
        }
      }
      default -> {
        LOG.warn("Closing connection from {}: {} is not a request", NettyUtils.remote(ch),
            request.type());
        request.release();
        ctx.budget.release(request.admittedBytes());
        ch.writeAndFlush(StatusResponse.error(request.requestId(), ErrorCode.UNEXPECTED_MESSAGE,
            request.type() + " is not a request")).addListener(ChannelFutureListener.CLOSE);
      }
    }
  }

  @Override
  public void channelClosed(Channel ch) {
    ctx.streams.channelClosed(ch);
  }

  private void seal(Channel ch, SealRequest req) {
    long id = req.requestId();
    if (ctx.isClosing()) {
      error(ch, id, ErrorCode.SERVER_SHUTTING_DOWN, "server is shutting down");
      return;
    }
    var targets = req.targets();
    CompletableFuture<?>[] all = new CompletableFuture<?>[targets.size()];
    for (int i = 0; i < all.length; i++) {
      SealRequest.Target t = targets.get(i);
      all[i] = ctx.store.seal(req.appId(), req.shuffleId(), t.partition(), t.epoch());
    }
    CompletableFuture.allOf(all).whenComplete((v, err) -> {
      if (err == null) {
        ch.writeAndFlush(StatusResponse.ok(id));
      } else {
        Throwable cause = err instanceof CompletionException && err.getCause() != null
            ? err.getCause() : err;
        error(ch, id, DovetailException.codeOf(cause), "seal of " + req.appId() + "/"
            + req.shuffleId() + " failed: " + reason(cause));
      }
    });
  }

  private void openStream(Channel ch, OpenStreamRequest req) {
    long id = req.requestId();
    if (ctx.isClosing()) {
      error(ch, id, ErrorCode.SERVER_SHUTTING_DOWN, "server is shutting down");
      return;
    }
    if (!ctx.incarnationMatches(req.expectedIncarnation())) {
      error(ch, id, ErrorCode.STALE_INCARNATION, "this server is incarnation "
          + ctx.incarnation() + ", not " + req.expectedIncarnation());
      return;
    }
    if (ctx.store.isDeleted(req.appId(), req.shuffleId())) {
      error(ch, id, ErrorCode.UNKNOWN_SHUFFLE, "shuffle " + req.appId() + "/" + req.shuffleId()
          + " was deleted");
      return;
    }
    PartitionFile f = ctx.store.file(req.appId(), req.shuffleId(), req.partition(), req.epoch());
    if (f == null) {
      error(ch, id, ErrorCode.UNKNOWN_PARTITION, "no partition file " + req.appId() + "/"
          + req.shuffleId() + "/" + req.partition() + " epoch " + req.epoch()
          + " on this server: nothing was pushed to it and it was never sealed");
      return;
    }
    CompletableFuture<Void> sealed = f.seal();
    if (sealed.isCompletedExceptionally()) {
      sealed.exceptionally(e -> {
        error(ch, id, DovetailException.codeOf(e), reason(e));
        return null;
      });
      return;
    }
    if (f.needsIndexLoad()) {
      try {
        ctx.worker.execute(() -> open(ch, f, req));
      } catch (RejectedExecutionException e) {
        error(ch, id, ErrorCode.SERVER_SHUTTING_DOWN, "server is shutting down");
      }
    } else {
      open(ch, f, req);
    }
  }

  private void open(Channel ch, PartitionFile f, OpenStreamRequest req) {
    try {
      ReadStream s = ctx.streams.open(ch, f, req);
      ctx.stats.streamOpened();
      ch.writeAndFlush(new StreamOpened(s.id(), s.numChunks(), s.totalBytes(), s.batchCount())
          .requestId(req.requestId()));
    } catch (DovetailException e) {
      error(ch, req.requestId(), e.code(), reason(e));
    }
  }

  private void fetch(Channel ch, FetchChunkRequest req) {
    ReadStream.Body body;
    try {
      ReadStream s = ctx.streams.get(req.streamId());
      body = s.fetch(req.chunkIndex(), ch.alloc());
    } catch (DovetailException e) {
      error(ch, req.requestId(), e.code(), reason(e));
      return;
    }
    ChunkResponse resp = new ChunkResponse(req.streamId(), req.chunkIndex(), body.body(),
        body.length());
    resp.requestId(req.requestId());
    ctx.stats.chunkServed(body.length());
    var written = ch.writeAndFlush(resp);
    Chunk[] pinned = body.pinned();
    if (pinned.length > 0) {
      written.addListener(f -> {
        for (Chunk c : pinned) {
          c.release();
        }
      });
    }
  }

  private void closeStream(Channel ch, CloseStreamRequest req) {
    if (ctx.streams.close(req.streamId())) {
      ch.writeAndFlush(StatusResponse.ok(req.requestId()));
    } else {
      error(ch, req.requestId(), ErrorCode.UNKNOWN_STREAM, "no open stream " + req.streamId());
    }
  }

  /** The message of {@code t} without the "CODE: " prefix a DovetailException adds. */
  static String reason(Throwable t) {
    Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    String m = String.valueOf(c.getMessage());
    if (c instanceof DovetailException de && m.startsWith(de.code() + ": ")) {
      return m.substring(de.code().toString().length() + 2);
    }
    return m;
  }

  private static void error(Channel ch, long requestId, ErrorCode code, String message) {
    ch.writeAndFlush(StatusResponse.error(requestId, code, message));
  }
}
