package io.dovetail.common.transport;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.protocol.Message;
import io.dovetail.common.protocol.StatusResponse;
import io.dovetail.common.util.HostPort;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.Closeable;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One data-plane connection. {@link #request} sends a message and completes its future with the
 * response of the same request id; an error {@link StatusResponse} completes it exceptionally
 * with a {@link DovetailException}. Thread-safe: any thread may send. Futures complete on the
 * connection's event loop, so their callbacks must be quick.
 */
public final class TransportClient implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(TransportClient.class);

  private final Channel channel;
  private final HostPort remote;
  private final long requestTimeoutMs;
  private final Map<Long, Pending> outstanding = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong();
  private final ScheduledFuture<?> timeoutSweep;
  private volatile String closeReason;

  /** {@code deadline} is {@link System#nanoTime()}: a step of the wall clock cannot move it. */
  private record Pending(CompletableFuture<Message> future, long deadline, String what) {}

  /** When the peer last sent anything on this connection ({@link System#nanoTime()}). */
  private volatile long lastReadNanos = System.nanoTime();

  TransportClient(Channel channel, HostPort remote, long requestTimeoutMs) {
    this.channel = channel;
    this.remote = remote;
    this.requestTimeoutMs = requestTimeoutMs;
    channel.pipeline().addLast("responses", new ResponseHandler());
    long sweepMs = Math.max(100, Math.min(1000, requestTimeoutMs / 4));
    this.timeoutSweep = channel.eventLoop().scheduleAtFixedRate(this::expire, sweepMs, sweepMs,
        TimeUnit.MILLISECONDS);
    channel.closeFuture().addListener(f -> failAll(ErrorCode.CONNECTION_FAILED,
        closeReason != null ? closeReason : "connection to " + remote + " closed"));
  }

  public HostPort remote() {
    return remote;
  }

  public boolean isActive() {
    return channel.isActive();
  }

  /** Nanoseconds since the peer last sent anything on this connection (or it was opened). */
  public long nanosSinceLastRead() {
    return System.nanoTime() - lastReadNanos;
  }

  /** Requests waiting for a response. */
  public int outstandingRequests() {
    return outstanding.size();
  }

  /**
   * Sends {@code request} (taking over its body) and returns the future response. Fails with
   * CONNECTION_FAILED if the connection is or becomes closed, TIMEOUT if no answer comes in time.
   */
  public CompletableFuture<Message> request(Message request) {
    long id = nextId.incrementAndGet();
    request.requestId(id);
    CompletableFuture<Message> future = new CompletableFuture<>();
    if (!channel.isActive()) {
      request.release();
      future.completeExceptionally(new DovetailException(ErrorCode.CONNECTION_FAILED,
          "connection to " + remote + " is closed"));
      return future;
    }
    outstanding.put(id, new Pending(future,
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs), request.toString()));
    channel.writeAndFlush(request).addListener(f -> {
      if (!f.isSuccess()) {
        // A write that never reached the encoder (the connection closed and its pipeline was
        // torn down after the check above) still owns the body: Netty cannot release a Message.
        request.releaseUnlessEncoded();
        fail(id, new DovetailException(ErrorCode.CONNECTION_FAILED,
            "cannot send " + request.type() + " to " + remote + ": " + f.cause(), f.cause()));
      }
    });
    return future;
  }

  /** Like {@link #request} but waits; a {@link DovetailException} on failure. */
  public Message requestSync(Message request) {
    try {
      return request(request).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DovetailException(ErrorCode.INTERNAL, "interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof DovetailException de) {
        throw new DovetailException(de.code(), c.getMessage(), c);
      }
      throw new DovetailException(ErrorCode.INTERNAL, String.valueOf(c), c);
    }
  }

  private void fail(long id, Throwable cause) {
    Pending p = outstanding.remove(id);
    if (p != null) {
      p.future.completeExceptionally(cause);
    }
  }

  private void failAll(ErrorCode code, String reason) {
    timeoutSweep.cancel(false);
    Iterator<Map.Entry<Long, Pending>> it = outstanding.entrySet().iterator();
    while (it.hasNext()) {
      Pending p = it.next().getValue();
      it.remove();
      p.future.completeExceptionally(new DovetailException(code, reason));
    }
  }

  private void expire() {
    long now = System.nanoTime();
    for (Map.Entry<Long, Pending> e : outstanding.entrySet()) {
      if (now - e.getValue().deadline > 0) {
        Pending p = outstanding.remove(e.getKey());
        if (p != null) {
          p.future.completeExceptionally(new DovetailException(ErrorCode.TIMEOUT,
              p.what + " to " + remote + " got no response within " + requestTimeoutMs + " ms"));
        }
      }
    }
  }

  @Override
  public void close() {
    channel.close();
  }

  @Override
  public String toString() {
    return "TransportClient[" + remote + (channel.isActive() ? "" : ", closed") + "]";
  }

  private final class ResponseHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      lastReadNanos = System.nanoTime();
      Message m = (Message) msg;
      Pending p = outstanding.remove(m.requestId());
      if (p == null) {
        if (m instanceof StatusResponse s && m.requestId() == 0 && !s.isOk()) {
          // The server rejects the connection as a whole, then closes it.
          closeReason = remote + " closed the connection: " + s.code() + ": " + s.message();
          LOG.warn("{}", closeReason);
        } else {
          LOG.debug("Response {} from {} matches no outstanding request; dropped", m, remote);
        }
        m.release();
        return;
      }
      if (m instanceof StatusResponse s && !s.isOk()) {
        p.future.completeExceptionally(new DovetailException(s.code(), s.message()));
        return;
      }
      if (!p.future.complete(m)) {
        m.release();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      String reason = "connection to " + remote + " failed: " + cause;
      if (cause instanceof IOException) {
        LOG.debug("{}", reason);
      } else {
        LOG.warn("{}", reason, cause);
      }
      closeReason = reason;
      ctx.close();
    }
  }
}
