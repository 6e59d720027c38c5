package io.dovetail.metadata.state;

import io.dovetail.proto.DiskStatus;
import io.dovetail.proto.ServerInfo;
import io.dovetail.proto.ServerState;
import java.util.List;

/**
 * One incarnation of a storage server. Immutable and thread-safe: every change makes a new
 * record, so readers need no lock. The first group of fields is persisted; the load fields
 * ({@code lastHeartbeatMs} onwards) are soft state, refreshed by heartbeats and reset at a
 * metadata-server restart.
 *
 * @param stateChangedAtMs when it entered its current state (registration for ACTIVE)
 * @param disks the latest directory report (registration, then heartbeats)
 */
record ServerRecord(String host, int port, long incarnation, ServerState state,
    long registeredAtMs, long stateChangedAtMs, long memoryLimitBytes, String version,
    List<DiskStatus> disks, long lastHeartbeatMs, long memoryUsedBytes, long recentPushBytes,
    int openStreams) {

  ServerRecord {
    disks = List.copyOf(disks);
  }

  /** ACTIVE or DRAINING: the incarnation is running and serving what it holds. */
  boolean isLive() {
    return state == ServerState.ACTIVE || state == ServerState.DRAINING;
  }

  String address() {
    return address(host, port);
  }

  static String address(String host, int port) {
    return host + ":" + port;
  }

  ServerInfo info() {
    return ServerInfo.newBuilder().setHost(host).setDataPort(port).setIncarnation(incarnation)
        .setState(state).build();
  }

  /**
   * Whether it can create a partition file: some reported directory is healthy, or it reported
   * none (nothing known, as before directory reports existed).
   */
  boolean hasHealthyDisk() {
    if (disks.isEmpty()) {
      return true;
    }
    for (DiskStatus d : disks) {
      if (d.getHealthy()) {
        return true;
      }
    }
    return false;
  }

  /** Usable bytes over healthy directories; -1 when it reported no directories. */
  long freeBytes() {
    if (disks.isEmpty()) {
      return -1;
    }
    long free = 0;
    for (DiskStatus d : disks) {
      if (d.getHealthy()) {
        free += Math.max(0, d.getUsableBytes());
      }
    }
    return free;
  }

  ServerRecord withState(ServerState newState, long nowMs) {
    return new ServerRecord(host, port, incarnation, newState, registeredAtMs, nowMs,
        memoryLimitBytes, version, disks, lastHeartbeatMs, memoryUsedBytes, recentPushBytes,
        openStreams);
  }

  ServerRecord withHeartbeat(long nowMs, List<DiskStatus> newDisks, long memoryUsed,
      long memoryLimit, long recentPush, int streams) {
    return new ServerRecord(host, port, incarnation, state, registeredAtMs, stateChangedAtMs,
        memoryLimit > 0 ? memoryLimit : memoryLimitBytes, version,
        newDisks.isEmpty() ? disks : newDisks, nowMs, memoryUsed, recentPush, streams);
  }

  /** The record with its silence forgiven: as if it had last been heard from at {@code nowMs}. */
  ServerRecord forgiven(long nowMs) {
    return new ServerRecord(host, port, incarnation, state, registeredAtMs, stateChangedAtMs,
        memoryLimitBytes, version, disks, Math.max(lastHeartbeatMs, nowMs), memoryUsedBytes,
        recentPushBytes, openStreams);
  }

  /** The record as recovered after a restart: a fresh grace period, no load known. */
  ServerRecord recovered(long nowMs) {
    return new ServerRecord(host, port, incarnation, state, registeredAtMs, stateChangedAtMs,
        memoryLimitBytes, version, disks, nowMs, 0, 0, 0);
  }
}
