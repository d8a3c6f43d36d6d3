/*
 * nfq-impair: link impairments in user space, for kernels without sch_netem.
 *
 * Binds one NFQUEUE queue (raw nfnetlink, no library) and decides for each packet the iptables
 * rule sends it: drop it (random or Gilbert-Elliott loss, a full rate queue), or accept it after
 * its delay (rate serialisation, delay, jitter). Verdicts are issued from a min-heap of release
 * times, so packets are held without blocking the queue. A duplicated packet is accepted with
 * mark DUP_MARK: an nftables `dup` rule in the node copies it (NFQUEUE itself cannot).
 *
 * Usage: nfq-impair --queue N [--delay MS] [--jitter MS] [--loss P] [--ge p,r,lossBad,lossGood]
 *                   [--dup P] [--reorder P] [--rate KBPS] [--limit PACKETS] [--seed S]
 * Prints "ready" once bound; on SIGTERM/SIGINT prints one JSON line of counters and exits 0.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DUP_MARK 0x40000000u

static struct {
  unsigned queue;
  double delay_ms, jitter_ms, loss, dup, reorder;
  int ge;
  double ge_p, ge_r, ge_bad, ge_good;
  double rate_kbps;
  unsigned limit;
  uint64_t seed;
} cfg = { .limit = 1000, .ge_bad = 1.0 };

static struct { uint64_t seen, dropped, queue_drops, duplicated, reordered, released; } stats;

static int fd;
static uint32_t seq;
static volatile sig_atomic_t stopping;

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* xorshift64*: uniform doubles in [0, 1). */
static uint64_t rng;
static double uniform(void) {
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return (double)((rng * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

/* ---- netlink messages ---- */
static char out[256];
static size_t out_len;

static void msg_begin(uint16_t type, int ack) {
  memset(out, 0, sizeof out);
  struct nlmsghdr *h = (struct nlmsghdr *)out;
  h->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | type;
  h->nlmsg_flags = NLM_F_REQUEST | (ack ? NLM_F_ACK : 0);
  h->nlmsg_seq = ++seq;
  struct nfgenmsg *g = (struct nfgenmsg *)(out + NLMSG_HDRLEN);
  g->nfgen_family = AF_UNSPEC;
  g->version = NFNETLINK_V0;
  g->res_id = htons((uint16_t)cfg.queue);
  out_len = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof *g);
}

static void msg_attr(uint16_t type, const void *data, uint16_t n) {
  struct nlattr *a = (struct nlattr *)(out + out_len);
  a->nla_type = type;
  a->nla_len = NLA_HDRLEN + n;
  memcpy((char *)a + NLA_HDRLEN, data, n);
  out_len += NLA_ALIGN(a->nla_len);
}

static int msg_send(void) {
  ((struct nlmsghdr *)out)->nlmsg_len = (uint32_t)out_len;
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  return (int)sendto(fd, out, out_len, 0, (struct sockaddr *)&kernel, sizeof kernel);
}

/* Sends the message built so far with an ACK request and returns the kernel's error (0 = ok). */
static int msg_call(void) {
  if (msg_send() < 0) return errno;
  char buf[4096];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  if (n < 0) return errno;
  for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
    if (h->nlmsg_type == NLMSG_ERROR) return -((struct nlmsgerr *)NLMSG_DATA(h))->error;
  }
  return 0;
}

static void verdict(uint32_t id, uint32_t v, int dup) {
  msg_begin(NFQNL_MSG_VERDICT, 0);
  struct nfqnl_msg_verdict_hdr vh = { .verdict = htonl(v), .id = htonl(id) };
  msg_attr(NFQA_VERDICT_HDR, &vh, sizeof vh);
  if (dup) {
    uint32_t mark = htonl(DUP_MARK);
    msg_attr(NFQA_MARK, &mark, sizeof mark);
  }
  if (msg_send() < 0 && errno != ENOENT) perror("nfq-impair: verdict");
}

/* ---- held packets: a min-heap on (release time, arrival order) ---- */
/* Jitter clamps a burst's packets to one release time; a heap alone is not stable, so without the
 * arrival order as a tie-break those packets left in any order (a DTLS flight arrived shuffled). */
struct held { uint64_t at, order; uint32_t id; int dup; };
static struct held *heap;
static size_t heap_len, heap_cap;
static uint64_t arrivals;

static int before(const struct held *a, const struct held *b) {
  return a->at < b->at || (a->at == b->at && a->order < b->order);
}

static void heap_push(struct held h) {
  if (heap_len == heap_cap) {
    heap_cap = heap_cap ? heap_cap * 2 : 1024;
    heap = realloc(heap, heap_cap * sizeof *heap);
    if (!heap) { perror("nfq-impair: realloc"); exit(1); }
  }
  size_t i = heap_len++;
  while (i && before(&h, &heap[(i - 1) / 2])) { heap[i] = heap[(i - 1) / 2]; i = (i - 1) / 2; }
  heap[i] = h;
}

static struct held heap_pop(void) {
  struct held top = heap[0], last = heap[--heap_len];
  size_t i = 0;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= heap_len) break;
    if (c + 1 < heap_len && before(&heap[c + 1], &heap[c])) c++;
    if (!before(&heap[c], &last)) break;
    heap[i] = heap[c];
    i = c;
  }
  if (heap_len) heap[i] = last;
  return top;
}

/* ---- the link model ---- */
static int ge_bad_state;
static uint64_t last_release;
/* Completion times of the packets in the rate queue (a ring of cfg.limit entries). */
static uint64_t *ring;
static size_t ring_head, ring_len;
static uint64_t link_free;

static int lost(void) {
  if (cfg.ge) {
    if (ge_bad_state) { if (uniform() < cfg.ge_r) ge_bad_state = 0; }
    else if (uniform() < cfg.ge_p) ge_bad_state = 1;
    return uniform() < (ge_bad_state ? cfg.ge_bad : cfg.ge_good);
  }
  return cfg.loss > 0 && uniform() < cfg.loss;
}

static void on_packet(uint32_t id, unsigned bytes) {
  uint64_t now = now_ns();
  stats.seen++;
  if (lost()) { stats.dropped++; verdict(id, NF_DROP, 0); return; }
  uint64_t sent = now;
  if (cfg.rate_kbps > 0) {
    while (ring_len && ring[ring_head] <= now) { ring_head = (ring_head + 1) % cfg.limit; ring_len--; }
    if (ring_len >= cfg.limit) { stats.queue_drops++; verdict(id, NF_DROP, 0); return; }
    uint64_t start = link_free > now ? link_free : now;
    link_free = start + (uint64_t)((double)bytes * 8.0 * 1e6 / cfg.rate_kbps);
    ring[(ring_head + ring_len++) % cfg.limit] = link_free;
    sent = link_free;
  }
  int dup = cfg.dup > 0 && uniform() < cfg.dup;
  if (dup) stats.duplicated++;
  uint64_t at;
  if (cfg.reorder > 0 && uniform() < cfg.reorder) {
    at = sent; /* overtakes the packets still held for their delay */
    stats.reordered++;
  } else {
    double d = cfg.delay_ms + (cfg.jitter_ms > 0 ? (uniform() * 2 - 1) * cfg.jitter_ms : 0);
    at = sent + (uint64_t)((d > 0 ? d : 0) * 1e6);
    if (at < last_release) at = last_release; /* jitter without reordering */
    last_release = at;
  }
  if (at <= now && !heap_len) { stats.released++; verdict(id, NF_ACCEPT, dup); return; }
  /* Due but behind held packets (a long read burst): it waits for them, keeping the order. */
  heap_push((struct held){ at, arrivals++, id, dup });
}

static void handle(char *buf, ssize_t n) {
  for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
    if (h->nlmsg_type != ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET)) continue;
    uint32_t id = 0;
    int have_id = 0;
    unsigned bytes = 0;
    size_t off = NLMSG_ALIGN(sizeof(struct nfgenmsg));
    size_t end = h->nlmsg_len - NLMSG_HDRLEN;
    char *data = NLMSG_DATA(h);
    while (off + NLA_HDRLEN <= end) {
      struct nlattr *a = (struct nlattr *)(data + off);
      if (a->nla_len < NLA_HDRLEN || off + a->nla_len > end) break;
      char *v = (char *)a + NLA_HDRLEN;
      uint16_t type = a->nla_type & NLA_TYPE_MASK;
      if (type == NFQA_PACKET_HDR) { id = ntohl(((struct nfqnl_msg_packet_hdr *)v)->packet_id); have_id = 1; }
      else if (type == NFQA_PAYLOAD && a->nla_len >= NLA_HDRLEN + 4) { uint16_t tot; memcpy(&tot, v + 2, 2); bytes = ntohs(tot); }
      off += NLA_ALIGN(a->nla_len);
    }
    if (have_id) on_packet(id, bytes ? bytes : 1500);
  }
}

static double num(const char *flag, const char *v, double lo, double hi) {
  char *e;
  double d = strtod(v, &e);
  if (*e || d < lo || d > hi) { fprintf(stderr, "nfq-impair: %s %s: expected a number in [%g, %g]\n", flag, v, lo, hi); exit(2); }
  return d;
}

static void parse(int argc, char **argv) {
  int queue_set = 0;
  for (int i = 1; i < argc; i++) {
    const char *f = argv[i];
    if (i + 1 >= argc) { fprintf(stderr, "nfq-impair: %s needs a value\n", f); exit(2); }
    const char *v = argv[++i];
    if (!strcmp(f, "--queue")) { cfg.queue = (unsigned)num(f, v, 0, 65535); queue_set = 1; }
    else if (!strcmp(f, "--delay")) cfg.delay_ms = num(f, v, 0, 60000);
    else if (!strcmp(f, "--jitter")) cfg.jitter_ms = num(f, v, 0, 60000);
    else if (!strcmp(f, "--loss")) cfg.loss = num(f, v, 0, 1);
    else if (!strcmp(f, "--dup")) cfg.dup = num(f, v, 0, 1);
    else if (!strcmp(f, "--reorder")) cfg.reorder = num(f, v, 0, 1);
    else if (!strcmp(f, "--rate")) cfg.rate_kbps = num(f, v, 0, 1e8);
    else if (!strcmp(f, "--limit")) cfg.limit = (unsigned)num(f, v, 1, 1e6);
    else if (!strcmp(f, "--seed")) cfg.seed = (uint64_t)num(f, v, 0, 1e18);
    else if (!strcmp(f, "--ge")) {
      if (sscanf(v, "%lf,%lf,%lf,%lf", &cfg.ge_p, &cfg.ge_r, &cfg.ge_bad, &cfg.ge_good) != 4) { fprintf(stderr, "nfq-impair: --ge p,r,lossBad,lossGood\n"); exit(2); }
      cfg.ge = 1;
    } else { fprintf(stderr, "nfq-impair: unknown option %s\n", f); exit(2); }
  }
  if (!queue_set) { fprintf(stderr, "nfq-impair: --queue N is required\n"); exit(2); }
}

static void on_signal(int s) { (void)s; stopping = 1; }

int main(int argc, char **argv) {
  parse(argc, argv);
  rng = cfg.seed ? cfg.seed : (now_ns() ^ (uint64_t)getpid() << 32) | 1;
  ring = calloc(cfg.limit, sizeof *ring);
  fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);
  if (fd < 0 || !ring) { perror("nfq-impair: netlink socket"); return 1; }
  int big = 8 << 20, one = 1;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
  setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof one);

  msg_begin(NFQNL_MSG_CONFIG, 1);
  struct nfqnl_msg_config_cmd cmd = { .command = NFQNL_CFG_CMD_BIND, .pf = htons(AF_INET) };
  msg_attr(NFQA_CFG_CMD, &cmd, sizeof cmd);
  int err = msg_call();
  if (err) { fprintf(stderr, "nfq-impair: binding queue %u: %s\n", cfg.queue, strerror(err)); return 1; }
  msg_begin(NFQNL_MSG_CONFIG, 1);
  /* The IP header is all it needs (the length, for the rate). */
  struct nfqnl_msg_config_params params = { .copy_range = htonl(20), .copy_mode = NFQNL_COPY_PACKET };
  msg_attr(NFQA_CFG_PARAMS, &params, sizeof params);
  uint32_t maxlen = htonl(65536);
  msg_attr(NFQA_CFG_QUEUE_MAXLEN, &maxlen, sizeof maxlen);
  err = msg_call();
  if (err) { fprintf(stderr, "nfq-impair: configuring queue %u: %s\n", cfg.queue, strerror(err)); return 1; }

  struct sigaction sa = { .sa_handler = on_signal };
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  printf("ready\n");
  fflush(stdout);

  static char buf[1 << 16];
  while (!stopping) {
    uint64_t now = now_ns();
    while (heap_len && heap[0].at <= now) { struct held h = heap_pop(); stats.released++; verdict(h.id, NF_ACCEPT, h.dup); }
    struct timespec wait, *timeout = NULL;
    if (heap_len) { uint64_t d = heap[0].at - now; wait.tv_sec = (time_t)(d / 1000000000ull); wait.tv_nsec = (long)(d % 1000000000ull); timeout = &wait; }
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int r = ppoll(&p, 1, timeout, NULL);
    if (r < 0 && errno != EINTR) { perror("nfq-impair: poll"); return 1; }
    if (r > 0) {
      for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0) { if (errno != EAGAIN && errno != EINTR && errno != ENOBUFS) perror("nfq-impair: recv"); break; }
        handle(buf, n);
      }
    }
  }
  printf("{\"seen\":%llu,\"dropped\":%llu,\"queueDrops\":%llu,\"duplicated\":%llu,\"reordered\":%llu,\"released\":%llu,\"held\":%zu}\n",
         (unsigned long long)stats.seen, (unsigned long long)stats.dropped, (unsigned long long)stats.queue_drops,
         (unsigned long long)stats.duplicated, (unsigned long long)stats.reordered, (unsigned long long)stats.released, heap_len);
  return 0;
}
