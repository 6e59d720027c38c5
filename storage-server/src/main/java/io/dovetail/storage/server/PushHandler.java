package io.dovetail.storage.server;

import io.dovetail.common.ErrorCode;
import io.dovetail.common.protocol.BatchHeader;
import io.dovetail.common.protocol.PushBatch;
import io.dovetail.common.protocol.PushRequest;
import io.dovetail.common.protocol.PushResponse;
import io.dovetail.storage.memory.CopyCredit;
import io.dovetail.storage.partition.PartitionFile;
import io.dovetail.storage.partition.PartitionFileFormat;
import io.dovetail.storage.partition.PartitionStore;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The PUSH path. Runs on event loops and never blocks; no logging and no allocation per batch
 * beyond what decoding did. Thread-safe (stateless apart from a per-thread checksum).
 *
 * <p>Per request: the incarnation check (-1 skips); then per batch, in order: crc32c
 * (CHECKSUM_MISMATCH), the file's state (PARTITION_SEALED, STORAGE_IO_ERROR, STALE_INCARNATION),
 * the shuffle's tombstone (UNKNOWN_SHUFFLE), disk space (DISK_FULL); accepted batches are copied
 * into their partition buffers. Then the accepted batches are forwarded to the replicas, if the
 * request names any, and the answer waits for them.
 *
 * <p>Buffer ownership: the handler owns the request and releases it before returning; forwarded
 * copies hold their own references. The request's memory admission is given back in two steps
 * ({@link CopyCredit}): the unused copy credit right after the copy, the frame half once no replica
 * send needs the frame any more.
 */
final class PushHandler {
  private static final ThreadLocal<CRC32C> CRC = ThreadLocal.withInitial(CRC32C::new);

  private final ServerContext ctx;

  PushHandler(ServerContext ctx) {
    this.ctx = ctx;
  }

  void handle(Channel ch, PushRequest req) {
    List<PushBatch> batches = req.batches();
    int n = batches.size();
    long data = 0;
    for (int i = 0; i < n; i++) {
      data += BatchHeader.SIZE + batches.get(i).header().length();
    }
    CopyCredit credit = new CopyCredit(ctx.budget, req.admittedBytes(), data);
    try {
      ErrorCode[] codes = copy(req, credit);
      credit.releaseUnused();
      int accepted = n;
      if (codes != null) {
        for (ErrorCode c : codes) {
          if (c != null) {
            accepted--;
          }
        }
      }
      if (req.replicas().isEmpty() || req.isForwarded() || accepted == 0) {
        credit.releaseFrame();
        ch.writeAndFlush(response(req, codes, null));
        return;
      }
      replicate(ch, req, codes, accepted, credit);
    } catch (RuntimeException | Error e) {
      credit.releaseUnused();
      credit.releaseFrame();
      throw e;
    } finally {
      req.release();
    }
  }

  /** Checks and copies every batch; returns the per-batch refusals, or null when none. */
  private ErrorCode[] copy(PushRequest req, CopyCredit credit) {
    List<PushBatch> batches = req.batches();
    int n = batches.size();
    ErrorCode whole = requestError(req);
    PartitionStore.ShuffleFiles sf = null;
    if (whole == ErrorCode.NONE) {
      sf = ctx.store.shuffleForWrite(req.appId(), req.shuffleId());
      if (sf == null) {
        whole = ErrorCode.UNKNOWN_SHUFFLE;
      }
    }
    if (whole != ErrorCode.NONE) {
      ErrorCode[] codes = new ErrorCode[n];
      java.util.Arrays.fill(codes, whole);
      for (int i = 0; i < n; i++) {
        ctx.stats.countRefused(whole);
      }
      return codes;
    }
    ErrorCode[] codes = null;
    ByteBuf payloads = req.payloads();
    int pos = payloads.readerIndex();
    CRC32C crc = CRC.get();
    long acceptedBytes = 0;
    int accepted = 0;
    for (int i = 0; i < n; i++) {
      PushBatch b = batches.get(i);
      BatchHeader h = b.header();
      int len = h.length();
      ErrorCode code;
      if (crc32c(crc, payloads, pos, len) != h.crc32c()) {
        code = ErrorCode.CHECKSUM_MISMATCH;
      } else {
        PartitionFile f = ctx.store.fileForWrite(sf, b.partition(), b.epoch());
        if (f == null) {
          code = sf.isDeleted() ? ErrorCode.UNKNOWN_SHUFFLE : ErrorCode.DISK_FULL;
        } else {
          code = f.append(h, payloads, pos, credit);
        }
      }
      if (code != ErrorCode.NONE) {
        if (codes == null) {
          codes = new ErrorCode[n];
        }
        codes[i] = code;
        credit.consumed(BatchHeader.SIZE + len);
        ctx.stats.countRefused(code);
      } else {
        acceptedBytes += len;
        accepted++;
      }
      pos += len;
    }
    ctx.pushedBytes.add(acceptedBytes);
    ctx.stats.accepted(req.isForwarded(), accepted, acceptedBytes);
    return codes;
  }

  private ErrorCode requestError(PushRequest req) {
    if (ctx.isClosing()) {
      return ErrorCode.SERVER_SHUTTING_DOWN;
    }
    if (!ctx.incarnationMatches(req.expectedIncarnation())) {
      return ErrorCode.STALE_INCARNATION;
    }
    if (!PartitionFileFormat.validAppId(req.appId())) {
      return ErrorCode.INVALID_ARGUMENT;
    }
    return ErrorCode.NONE;
  }

  static int crc32c(CRC32C crc, ByteBuf buf, int index, int length) {
    crc.reset();
    if (length > 0) {
      if (buf.nioBufferCount() == 1) {
        crc.update(buf.internalNioBuffer(index, length));
      } else {
        for (ByteBuffer b : buf.nioBuffers(index, length)) {
          crc.update(b);
        }
      }
    }
    return (int) crc.getValue();
  }

  private void replicate(Channel ch, PushRequest req, ErrorCode[] codes, int accepted,
      CopyCredit credit) {
    int[] indexes = null;
    if (codes != null) {
      indexes = new int[accepted];
      int k = 0;
      for (int i = 0; i < codes.length; i++) {
        if (codes[i] == null) {
          indexes[k++] = i;
        }
      }
    }
    long requestId = req.requestId();
    String appId = req.appId();
    int shuffleId = req.shuffleId();
    List<PushBatch> batches = req.batches();
    ctx.replicator.forward(req, indexes).whenComplete((result, err) -> {
      credit.releaseFrame();
      ErrorCode[] all = codes == null ? new ErrorCode[batches.size()] : codes;
      String message = null;
      if (err != null) {
        for (int i = 0; i < all.length; i++) {
          if (all[i] == null) {
            all[i] = ErrorCode.REPLICATION_FAILED;
            ctx.stats.countRefused(ErrorCode.REPLICATION_FAILED);
          }
        }
        message = "replication failed: " + err;
      } else if (!result.ok()) {
        for (PushResponse.Failure f : result.failures()) {
          all[f.batchIndex()] = ErrorCode.REPLICATION_FAILED;
          ctx.stats.countRefused(ErrorCode.REPLICATION_FAILED);
        }
        message = result.message();
      }
      PushResponse resp = build(appId, shuffleId, batches, all, message);
      resp.requestId(requestId);
      ch.writeAndFlush(resp);
    });
  }

  private static PushResponse response(PushRequest req, ErrorCode[] codes, String extra) {
    PushResponse r = build(req.appId(), req.shuffleId(), req.batches(), codes, extra);
    r.requestId(req.requestId());
    return r;
  }

  private static PushResponse build(String appId, int shuffleId, List<PushBatch> batches,
      ErrorCode[] codes, String extra) {
    if (codes == null) {
      return PushResponse.ok();
    }
    List<PushResponse.Failure> failures = new ArrayList<>();
    int firstFailed = -1;
    for (int i = 0; i < codes.length; i++) {
      if (codes[i] != null) {
        failures.add(new PushResponse.Failure(i, codes[i]));
        if (firstFailed < 0) {
          firstFailed = i;
        }
      }
    }
    if (failures.isEmpty()) {
      return PushResponse.ok();
    }
    PushBatch b = batches.get(firstFailed);
    ErrorCode first = codes[firstFailed];
    String message = failures.size() + " of " + codes.length + " batches refused; first: batch "
        + firstFailed + " of " + appId + "/" + shuffleId + "/" + b.partition() + "@" + b.epoch()
        + ": " + first + (extra == null || extra.isEmpty() ? "" : " (" + extra + ")");
    return new PushResponse(first, message, failures);
  }
}
