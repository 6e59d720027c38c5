package io.dovetail.metadata.state;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.metadata.placement.Candidate;
import io.dovetail.metadata.store.KeyValueStore;
import io.dovetail.metadata.store.KvBatch;
import io.dovetail.proto.RegisterServerRequest;
import io.dovetail.proto.ServerHeartbeatRequest;
import io.dovetail.proto.ServerState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Storage servers: every known incarnation, the newest incarnation per address, liveness and
 * draining, and how many partition copies each incarnation holds (so unreferenced dead ones can be
 * forgotten). Records are kept by incarnation because partition locations name incarnations: a
 * DEAD incarnation stays known while a location still names it, so readers see it as DEAD and
 * a restarted server can re-adopt its sealed files.
 *
 * <p>Thread-safe. Mutations hold this object's monitor (a leaf lock: nothing else is locked
 * inside it) and persist before they change memory; reads ({@link #get}, {@link #all}, {@link
 * #candidates}) take no lock and see immutable records.
 */
final class ServerRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(ServerRegistry.class);

  private final KeyValueStore store;
  private final IdGenerator ids;
  private final Clock clock;
  private final Settings settings;
  private final ConcurrentHashMap<Long, ServerRecord> servers = new ConcurrentHashMap<>();
  /** Address to its newest incarnation. Guarded by this. */
  private final Map<String, Long> byAddress = new HashMap<>();
  /**
   * Addresses an operator drained whose drain has not ended with a clean exit: an incarnation
   * registering there starts DRAINING, also after a crash declared the previous one DEAD.
   * Persisted. Guarded by this.
   */
  private final Set<String> drainIntent = new HashSet<>();
  /** Incarnation to the number of non-lost partition copies that name it. */
  private final ConcurrentHashMap<Long, AtomicInteger> copies = new ConcurrentHashMap<>();

  /** The outcome of a heartbeat. */
  record Beat(ServerRecord server, boolean reregister, ServerState state) {}

  ServerRegistry(KeyValueStore store, IdGenerator ids, Clock clock, Settings settings) {
    this.store = store;
    this.ids = ids;
    this.clock = clock;
    this.settings = settings;
  }

  /** Loads every stored incarnation; live ones get a fresh grace period from now. */
  synchronized void recover() {
    long now = clock.millis();
    List<ServerRecord> loaded = new ArrayList<>();
    store.scanPrefix(Keys.family(Keys.SERVER), (k, v) -> {
      ServerRecord r = Codec.server(v, now);
      if (r.incarnation() != Keys.serverIncarnation(k)) {
        throw Bytes.corrupt("server record under the wrong incarnation key");
      }
      loaded.add(r);
      return true;
    });
    loaded.sort(Comparator.comparingLong(ServerRecord::incarnation));
    KvBatch fixes = new KvBatch();
    for (ServerRecord r : loaded) {
      ids.ensureAbove(r.incarnation());
      Long older = byAddress.put(r.address(), r.incarnation());
      if (older != null && r.isLive() && servers.get(older).isLive()) {
        // Cannot happen through register(), which kills the older one in the same write; kept
        // so a damaged store still has at most one live incarnation per address.
        ServerRecord dead = servers.get(older).withState(ServerState.DEAD, now);
        fixes.put(Keys.server(older), Codec.server(dead));
        servers.put(older, dead);
      }
      servers.put(r.incarnation(), r);
    }
    store.scanPrefix(Keys.family(Keys.DRAIN), (k, v) -> {
      drainIntent.add(Keys.drainAddress(k));
      return true;
    });
    for (Map.Entry<String, Long> e : byAddress.entrySet()) {
      // Stores written before drain intents were kept: a draining server's record holds it.
      if (servers.get(e.getValue()).state() == ServerState.DRAINING
          && drainIntent.add(e.getKey())) {
        fixes.put(Keys.drain(e.getKey()), new byte[0]);
      }
    }
    store.write(fixes);
  }

  /** Registers a new incarnation; a live older incarnation at the same address becomes DEAD. */
  synchronized ServerRecord register(RegisterServerRequest req) {
    Check.hostPort(req.getHost(), req.getDataPort());
    checkDisks(req.getDisksCount());
    Check.nonNegative(req.getMemoryLimitBytes(), "memory_limit_bytes");
    long now = clock.millis();
    String address = ServerRecord.address(req.getHost(), req.getDataPort());
    ServerRecord previous = byAddress.containsKey(address)
        ? servers.get(byAddress.get(address)) : null;
    KvBatch batch = new KvBatch();
    ServerState initial = ServerState.ACTIVE;
    ServerRecord replaced = null;
    // A restart during a drain keeps draining, after a crash too: draining is the operator's
    // intent for the address, ended only by a clean exit.
    if (drainIntent.contains(address)) {
      initial = ServerState.DRAINING;
    }
    if (previous != null && previous.isLive()) {
      replaced = previous.withState(ServerState.DEAD, now);
      batch.put(Keys.server(replaced.incarnation()), Codec.server(replaced));
    }
    long incarnation = ids.next();
    ServerRecord r = new ServerRecord(req.getHost(), req.getDataPort(), incarnation, initial, now,
        now, req.getMemoryLimitBytes(), req.getVersion(), req.getDisksList(), now, 0, 0, 0);
    batch.put(Keys.server(incarnation), Codec.server(r));
    store.write(batch);
    if (replaced != null) {
      servers.put(replaced.incarnation(), replaced);
      LOG.info("Storage server {} incarnation {} is DEAD: replaced by incarnation {}", address,
          replaced.incarnation(), incarnation);
    }
    servers.put(incarnation, r);
    byAddress.put(address, incarnation);
    LOG.info("Registered storage server {} as incarnation {} ({}, {} directories, version {})",
        address, incarnation, initial, r.disks().size(), r.version());
    return r;
  }

  /** What is stored must load again: a record with more disks would not, at the next start. */
  private static void checkDisks(int disks) {
    Check.arg(disks <= Codec.MAX_DISKS,
        "a storage server may report at most " + Codec.MAX_DISKS + " disks, got " + disks);
  }

  /** Refreshes a live incarnation's liveness and load; anything else must register again. */
  synchronized Beat heartbeat(ServerHeartbeatRequest req) {
    Check.hostPort(req.getHost(), req.getDataPort());
    checkDisks(req.getDisksCount());
    ServerRecord r = servers.get(req.getIncarnation());
    if (r == null || !r.host().equals(req.getHost()) || r.port() != req.getDataPort()) {
      return new Beat(null, true, ServerState.SERVER_STATE_UNSPECIFIED);
    }
    if (!r.isLive()) {
      return new Beat(r, true, r.state());
    }
    ServerRecord updated = r.withHeartbeat(clock.millis(), req.getDisksList(),
        Math.max(0, req.getMemoryUsedBytes()), Math.max(0, req.getMemoryLimitBytes()),
        Math.max(0, req.getRecentPushBytes()), Math.max(0, req.getOpenStreams()));
    servers.put(r.incarnation(), updated);
    return new Beat(updated, false, updated.state());
  }

  /**
   * Gives every live server a fresh grace period from now, as after a restart; returns how many.
   * For when this process, not the servers, was silent: their heartbeats could not be heard.
   */
  synchronized int forgiveSilence() {
    long now = clock.millis();
    int n = 0;
    for (ServerRecord r : servers.values()) {
      if (r.isLive()) {
        servers.put(r.incarnation(), r.forgiven(now));
        n++;
      }
    }
    return n;
  }

  /** Stops new allocations to the live incarnation at {@code host:port}. Idempotent. */
  synchronized ServerRecord drain(String host, int port) {
    Check.hostPort(host, port);
    Long inc = byAddress.get(ServerRecord.address(host, port));
    ServerRecord r = inc == null ? null : servers.get(inc);
    if (r == null || !r.isLive()) {
      throw new DovetailException(ErrorCode.UNKNOWN_SERVER,
          "no live storage server at " + ServerRecord.address(host, port));
    }
    if (r.state() == ServerState.DRAINING) {
      return r;
    }
    ServerRecord draining = r.withState(ServerState.DRAINING, clock.millis());
    store.write(new KvBatch().put(Keys.server(inc), Codec.server(draining))
        .put(Keys.drain(r.address()), new byte[0]));
    servers.put(inc, draining);
    drainIntent.add(r.address());
    LOG.info("Storage server {} incarnation {} is DRAINING", r.address(), inc);
    return draining;
  }

  /**
   * Cancels a drain at {@code host:port}: its live incarnation, if DRAINING, is ACTIVE again, and
   * the address's drain intent is removed. Idempotent for a live ACTIVE server. Returns the live
   * incarnation, or null when none is live and only an intent (of a server that died draining)
   * was removed.
   */
  synchronized ServerRecord undrain(String host, int port) {
    Check.hostPort(host, port);
    String address = ServerRecord.address(host, port);
    Long inc = byAddress.get(address);
    ServerRecord r = inc == null ? null : servers.get(inc);
    boolean live = r != null && r.isLive();
    if (!live && !drainIntent.contains(address)) {
      throw new DovetailException(ErrorCode.UNKNOWN_SERVER,
          "no live storage server and no drain at " + address);
    }
    KvBatch batch = new KvBatch().delete(Keys.drain(address));
    ServerRecord active = live && r.state() == ServerState.DRAINING
        ? r.withState(ServerState.ACTIVE, clock.millis()) : null;
    if (active != null) {
      batch.put(Keys.server(inc), Codec.server(active));
    }
    store.write(batch);
    drainIntent.remove(address);
    if (active != null) {
      servers.put(inc, active);
      LOG.info("Drain of storage server {} incarnation {} cancelled: ACTIVE", address, inc);
      return active;
    }
    LOG.info("Drain intent of {} removed{}", address, live ? " (it was not draining)"
        : ": no incarnation is live, the next start there is ACTIVE");
    return live ? r : null;
  }

  /**
   * A server leaves cleanly: EXITED. Idempotent while the record is remembered. A goodbye that
   * says the drain is done ({@code drained}) is refused when the drain was cancelled meanwhile:
   * the record is ACTIVE, it is returned unchanged, and the server stays.
   */
  synchronized ServerRecord exit(String host, int port, long incarnation, boolean drained) {
    Check.hostPort(host, port);
    ServerRecord r = servers.get(incarnation);
    if (r == null || !r.host().equals(host) || r.port() != port) {
      throw new DovetailException(ErrorCode.UNKNOWN_SERVER, "no storage server incarnation "
          + incarnation + " at " + ServerRecord.address(host, port));
    }
    if (!r.isLive() || (drained && r.state() == ServerState.ACTIVE)) {
      return r;
    }
    ServerRecord exited = r.withState(ServerState.EXITED, clock.millis());
    KvBatch batch = new KvBatch().put(Keys.server(incarnation), Codec.server(exited));
    // A clean exit of the address's newest incarnation ends its drain: a later start is ACTIVE.
    boolean drainDone = incarnation == byAddress.getOrDefault(r.address(), -1L)
        && drainIntent.contains(r.address());
    if (drainDone) {
      batch.delete(Keys.drain(r.address()));
    }
    store.write(batch);
    if (drainDone) {
      drainIntent.remove(r.address());
    }
    servers.put(incarnation, exited);
    LOG.info("Storage server {} incarnation {} EXITED ({} partition copies still named)",
        r.address(), incarnation, copies(incarnation));
    return exited;
  }

  /**
   * Declares live servers silent for longer than the heartbeat timeout DEAD, and forgets dead or
   * exited ones past their retention that no location names. Returns the newly dead.
   */
  synchronized List<ServerRecord> expire() {
    long now = clock.millis();
    List<ServerRecord> dead = new ArrayList<>();
    List<ServerRecord> forget = new ArrayList<>();
    KvBatch batch = new KvBatch();
    for (ServerRecord r : servers.values()) {
      if (r.isLive() && now - r.lastHeartbeatMs() > settings.serverHeartbeatTimeoutMs()) {
        ServerRecord d = r.withState(ServerState.DEAD, now);
        batch.put(Keys.server(r.incarnation()), Codec.server(d));
        dead.add(d);
      } else if (!r.isLive() && now - r.stateChangedAtMs() > settings.serverRetentionMs()
          && copies(r.incarnation()) == 0) {
        batch.delete(Keys.server(r.incarnation()));
        forget.add(r);
      }
    }
    store.write(batch);
    for (ServerRecord d : dead) {
      servers.put(d.incarnation(), d);
      LOG.warn("Storage server {} incarnation {} is DEAD: no heartbeat for {} ms", d.address(),
          d.incarnation(), now - d.lastHeartbeatMs());
    }
    for (ServerRecord f : forget) {
      servers.remove(f.incarnation());
      copies.remove(f.incarnation());
      byAddress.remove(f.address(), f.incarnation());
      LOG.info("Forgot storage server {} incarnation {} ({})", f.address(), f.incarnation(),
          f.state());
    }
    return dead;
  }

  /**
   * ACTIVE servers heard from within the timeout with a healthy data directory (or none reported),
   * except {@code excluded}. A server whose every directory failed would refuse every new file.
   */
  List<Candidate> candidates(Set<Long> excluded) {
    long now = clock.millis();
    List<Candidate> out = new ArrayList<>();
    for (ServerRecord r : servers.values()) {
      if (r.state() == ServerState.ACTIVE
          && now - r.lastHeartbeatMs() <= settings.serverHeartbeatTimeoutMs()
          && r.hasHealthyDisk()
          && !excluded.contains(r.incarnation())) {
        out.add(new Candidate(r.incarnation(), r.freeBytes(), r.recentPushBytes(),
            r.memoryUsedBytes(), r.memoryLimitBytes()));
      }
    }
    return out;
  }

  /** The record of {@code incarnation}, or null. */
  ServerRecord get(long incarnation) {
    return servers.get(incarnation);
  }

  Collection<ServerRecord> all() {
    return servers.values();
  }

  void addCopies(long incarnation, int delta) {
    copies.computeIfAbsent(incarnation, k -> new AtomicInteger()).addAndGet(delta);
  }

  int copies(long incarnation) {
    AtomicInteger n = copies.get(incarnation);
    return n == null ? 0 : n.get();
  }
}
