// Node-API binding of the native LSTM kernel (lstm.c) and its threads.
//
// Every kernel function takes the JS ArrayBuffer that plays the wasm kernel's linear memory,
// then that function's arguments (byte offsets and sizes, as assembly/lstm.ts). `run` spreads a
// ranged function (forward, backward: batch rows; weightGradsColumns: columns) over the calling
// thread and the pool's workers: each claims chunks of the range from one shared ticket until
// none is left, and the caller returns once every chunk is done. Chunks are independent and
// computed the same way by whichever thread claims them, so results do not depend on the thread
// count; a worker that is asleep or preempted just claims fewer (the caller never waits for it
// to start).
#define _GNU_SOURCE
#include <limits.h>
#include <linux/futex.h>
#include <node_api.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel.h"

static const struct lstm_kernel *kernel;

enum { FORWARD, BACKWARD, WEIGHT_GRADS_COLUMNS, ADAM, RANGED_FUNCTIONS };
enum { MAX_ARGS = 16, MAX_THREADS = 256 };
/** Arguments of each ranged function before its range. */
static const int RANGED_ARGS[RANGED_FUNCTIONS] = {13, 14, 9, 5};

// ---- the pool -------------------------------------------------------------------------------

struct job {
  int fn;
  char *memory;
  int32_t args[MAX_ARGS];
  int32_t total, chunk;
};

static struct job job;
/** (generation << 32) | next chunk index; a claim is a CAS within one generation. */
static _Atomic uint64_t ticket;
/** Bumped once per job; sleeping workers wait on it (futex). */
static _Atomic uint32_t posted;
static _Atomic int32_t completed;
static _Atomic int32_t sleepers;
static _Atomic int stopping;
static pthread_t workers[MAX_THREADS];
static int worker_count;

static void run_chunk(const struct job *j, int32_t from, int32_t to) {
  const int32_t *a = j->args;
  char *m = j->memory;
  switch (j->fn) {
  case FORWARD:
    kernel->forward(m, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], from, to);
    break;
  case BACKWARD:
    kernel->backward(m, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], from, to);
    break;
  case WEIGHT_GRADS_COLUMNS:
    kernel->weight_grads_columns(m, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], from, to);
    break;
  case ADAM:
    kernel->adam(m, a[0], a[1], a[2], a[3], a[4], from, to);
    break;
  }
}

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/** Claims and runs chunks of the current job (generation `gen`) until none is left. */
static void work(uint64_t gen) {
  for (;;) {
    uint64_t seen = atomic_load_explicit(&ticket, memory_order_acquire);
    if (seen >> 32 != gen) return;
    // Read under this generation; a successful claim below proves it was still current.
    struct job j;
    j.fn = __atomic_load_n(&job.fn, __ATOMIC_RELAXED);
    j.memory = __atomic_load_n(&job.memory, __ATOMIC_RELAXED);
    j.total = __atomic_load_n(&job.total, __ATOMIC_RELAXED);
    j.chunk = __atomic_load_n(&job.chunk, __ATOMIC_RELAXED);
    for (int i = 0; i < MAX_ARGS; i++) j.args[i] = __atomic_load_n(&job.args[i], __ATOMIC_RELAXED);
    const int32_t index = (int32_t)(uint32_t)seen;
    const int32_t from = index * j.chunk;
    if (from >= j.total) return;
    if (!atomic_compare_exchange_weak_explicit(&ticket, &seen, seen + 1, memory_order_acq_rel,
                                               memory_order_relaxed)) {
      continue;
    }
    run_chunk(&j, from, from + j.chunk < j.total ? from + j.chunk : j.total);
    atomic_fetch_add_explicit(&completed, 1, memory_order_release);
  }
}

static void *worker_main(void *unused) {
  (void)unused;
  uint32_t last = atomic_load(&posted);
  while (!atomic_load(&stopping)) {
    // Calls come in bursts (each layer, forward then backward): spin a little before sleeping.
    for (int spin = 0; spin < 4000 && atomic_load_explicit(&posted, memory_order_acquire) == last; spin++) cpu_relax();
    if (atomic_load(&posted) == last) {
      atomic_fetch_add(&sleepers, 1);
      if (atomic_load(&posted) == last && !atomic_load(&stopping)) {
        syscall(SYS_futex, &posted, FUTEX_WAIT_PRIVATE, last, NULL, NULL, 0);
      }
      atomic_fetch_sub(&sleepers, 1);
      continue;
    }
    last = atomic_load(&posted);
    work(atomic_load_explicit(&ticket, memory_order_acquire) >> 32);
  }
  return NULL;
}

static void wake_workers(void) {
  atomic_fetch_add_explicit(&posted, 1, memory_order_release);
  if (atomic_load(&sleepers) > 0) syscall(SYS_futex, &posted, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static void run_parallel(int fn, char *memory, const int32_t *args, int argc, int32_t total, int32_t chunk) {
  const int32_t chunks = (total + chunk - 1) / chunk;
  if (worker_count == 0 || chunks < 2) {
    struct job j = {.fn = fn, .memory = memory, .total = total, .chunk = chunk};
    memcpy(j.args, args, (size_t)argc * 4);
    run_chunk(&j, 0, total);
    return;
  }
  // The previous job is complete (its caller waited), so no claim can succeed until the new
  // generation is published below.
  __atomic_store_n(&job.fn, fn, __ATOMIC_RELAXED);
  __atomic_store_n(&job.memory, memory, __ATOMIC_RELAXED);
  __atomic_store_n(&job.total, total, __ATOMIC_RELAXED);
  __atomic_store_n(&job.chunk, chunk, __ATOMIC_RELAXED);
  for (int i = 0; i < MAX_ARGS; i++) __atomic_store_n(&job.args[i], i < argc ? args[i] : 0, __ATOMIC_RELAXED);
  atomic_store_explicit(&completed, 0, memory_order_relaxed);
  const uint64_t gen = (atomic_load(&ticket) >> 32) + 1;
  atomic_store_explicit(&ticket, gen << 32, memory_order_release);
  wake_workers();
  work(gen);
  for (int spin = 0; atomic_load_explicit(&completed, memory_order_acquire) < chunks; spin++) {
    if (spin < 100000) cpu_relax();
    else sched_yield();
  }
}

static void stop_workers(void) {
  if (worker_count == 0) return;
  atomic_store(&stopping, 1);
  wake_workers();
  for (int i = 0; i < worker_count; i++) pthread_join(workers[i], NULL);
  worker_count = 0;
  atomic_store(&stopping, 0);
}

/** count - 1 workers beside the calling thread; returns the count in use. */
static int set_threads(int count) {
  stop_workers();
  for (int i = 0; i < count - 1 && i < MAX_THREADS; i++) {
    if (pthread_create(&workers[i], NULL, worker_main, NULL) != 0) break;
    worker_count++;
  }
  return worker_count + 1;
}

// ---- Node-API -------------------------------------------------------------------------------

#define CHECK(call)                                                                                \
  if ((call) != napi_ok) return throw_error(env, #call)

static napi_value throw_error(napi_env env, const char *what) {
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  char message[256];
  snprintf(message, sizeof message, "lstmkit native kernel: %s failed%s%s", what,
           info && info->error_message ? ": " : "", info && info->error_message ? info->error_message : "");
  napi_throw_error(env, NULL, message);
  return NULL;
}

/** argv[0]: the memory (ArrayBuffer); argv[1..]: int32/uint32 arguments; `floats` trailing f32. */
static int read_args(napi_env env, napi_callback_info info, size_t want, char **memory, size_t *bytes,
                     int32_t *ints, int nints, float *floats, int nfloats) {
  napi_value argv[32];
  size_t argc = 32;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  if (argc != want) {
    char message[128];
    snprintf(message, sizeof message, "lstmkit native kernel: expected %zu arguments, got %zu", want, argc);
    napi_throw_type_error(env, NULL, message);
    return 0;
  }
  void *data = NULL;
  if (napi_get_arraybuffer_info(env, argv[0], &data, bytes) != napi_ok) {
    napi_throw_type_error(env, NULL, "lstmkit native kernel: the first argument must be an ArrayBuffer");
    return 0;
  }
  *memory = data;
  for (int i = 0; i < nints; i++) {
    uint32_t value;
    if (napi_get_value_uint32(env, argv[1 + i], &value) != napi_ok) {
      napi_throw_type_error(env, NULL, "lstmkit native kernel: arguments must be numbers");
      return 0;
    }
    ints[i] = (int32_t)value;
  }
  for (int i = 0; i < nfloats; i++) {
    double value;
    if (napi_get_value_double(env, argv[1 + nints + i], &value) != napi_ok) {
      napi_throw_type_error(env, NULL, "lstmkit native kernel: arguments must be numbers");
      return 0;
    }
    floats[i] = (float)value;
  }
  return 1;
}

static napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

/** forward, backward, weightGradsColumns called directly: the range is their last two arguments. */
static napi_value js_ranged(napi_env env, napi_callback_info info, int fn) {
  struct job j = {.fn = fn};
  const int n = RANGED_ARGS[fn];
  int32_t a[MAX_ARGS + 2];
  size_t bytes;
  if (!read_args(env, info, (size_t)n + 3, &j.memory, &bytes, a, n + 2, NULL, 0)) return NULL;
  memcpy(j.args, a, (size_t)n * 4);
  run_chunk(&j, a[n], a[n + 1]);
  return undefined(env);
}

static napi_value js_forward(napi_env env, napi_callback_info info) { return js_ranged(env, info, FORWARD); }
static napi_value js_backward(napi_env env, napi_callback_info info) { return js_ranged(env, info, BACKWARD); }
static napi_value js_weight_grads_columns(napi_env env, napi_callback_info info) {
  return js_ranged(env, info, WEIGHT_GRADS_COLUMNS);
}

static napi_value js_tanh_array(napi_env env, napi_callback_info info) {
  char *m;
  size_t bytes;
  int32_t a[3];
  if (!read_args(env, info, 4, &m, &bytes, a, 3, NULL, 0)) return NULL;
  kernel->tanh_array(m, a[0], a[1], a[2]);
  return undefined(env);
}

static napi_value js_sum_squares(napi_env env, napi_callback_info info) {
  char *m;
  size_t bytes;
  int32_t a[2];
  if (!read_args(env, info, 3, &m, &bytes, a, 2, NULL, 0)) return NULL;
  napi_value sum;
  napi_create_double(env, kernel->sum_squares(m, a[0], a[1]), &sum);
  return sum;
}

static napi_value js_adam(napi_env env, napi_callback_info info) { return js_ranged(env, info, ADAM); }

static napi_value js_copy_steps(napi_env env, napi_callback_info info) {
  char *m;
  size_t bytes;
  int32_t a[10];
  if (!read_args(env, info, 11, &m, &bytes, a, 10, NULL, 0)) return NULL;
  kernel->copy_steps(m, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);
  return undefined(env);
}

static napi_value js_gather_embeddings(napi_env env, napi_callback_info info) {
  char *m;
  size_t bytes;
  int32_t a[10];
  if (!read_args(env, info, 11, &m, &bytes, a, 10, NULL, 0)) return NULL;
  kernel->gather_embeddings(m, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);
  return undefined(env);
}

static napi_value js_scatter_embeddings(napi_env env, napi_callback_info info) {
  char *m;
  size_t bytes;
  int32_t a[10];
  if (!read_args(env, info, 11, &m, &bytes, a, 10, NULL, 0)) return NULL;
  kernel->scatter_embeddings(m, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);
  return undefined(env);
}

static napi_value js_dropout_mask(napi_env env, napi_callback_info info) {
  char *m;
  size_t bytes;
  int32_t a[4];
  float f[1];
  if (!read_args(env, info, 6, &m, &bytes, a, 4, f, 1)) return NULL;
  napi_value state;
  napi_create_uint32(env, kernel->dropout_mask(m, a[0], a[1], a[2], a[3], f[0]), &state);
  return state;
}

static napi_value js_multiply(napi_env env, napi_callback_info info) {
  char *m;
  size_t bytes;
  int32_t a[4];
  if (!read_args(env, info, 5, &m, &bytes, a, 4, NULL, 0)) return NULL;
  kernel->multiply(m, a[0], a[1], a[2], a[3]);
  return undefined(env);
}

static napi_value js_transpose(napi_env env, napi_callback_info info) {
  char *m;
  size_t bytes;
  int32_t a[4];
  if (!read_args(env, info, 5, &m, &bytes, a, 4, NULL, 0)) return NULL;
  kernel->transpose(m, a[0], a[1], a[2], a[3]);
  return undefined(env);
}

static napi_value js_pool_forward(napi_env env, napi_callback_info info) {
  char *m;
  size_t bytes;
  int32_t a[7];
  if (!read_args(env, info, 8, &m, &bytes, a, 7, NULL, 0)) return NULL;
  kernel->pool_forward(m, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
  return undefined(env);
}

static napi_value js_pool_backward(napi_env env, napi_callback_info info) {
  char *m;
  size_t bytes;
  int32_t a[9];
  if (!read_args(env, info, 10, &m, &bytes, a, 9, NULL, 0)) return NULL;
  kernel->pool_backward(m, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]);
  return undefined(env);
}

/** run(fn, memory, total, chunk, ...args): fn 0 forward, 1 backward, 2 weightGradsColumns, 3 adam. */
static napi_value js_run(napi_env env, napi_callback_info info) {
  napi_value argv[4 + MAX_ARGS];
  size_t argc = 4 + MAX_ARGS;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fn, total, chunk, args[MAX_ARGS];
  void *data;
  size_t bytes;
  if (argc < 4 || napi_get_value_int32(env, argv[0], &fn) != napi_ok || fn < 0 || fn >= RANGED_FUNCTIONS ||
      napi_get_arraybuffer_info(env, argv[1], &data, &bytes) != napi_ok ||
      napi_get_value_int32(env, argv[2], &total) != napi_ok || napi_get_value_int32(env, argv[3], &chunk) != napi_ok ||
      chunk < 1) {
    napi_throw_type_error(env, NULL, "lstmkit native kernel: run(fn, memory, total, chunk, ...args)");
    return NULL;
  }
  if ((int)argc - 4 != RANGED_ARGS[fn]) {
    napi_throw_type_error(env, NULL, "lstmkit native kernel: run got the wrong number of arguments");
    return NULL;
  }
  for (size_t i = 4; i < argc; i++) {
    uint32_t value;
    CHECK(napi_get_value_uint32(env, argv[i], &value));
    args[i - 4] = (int32_t)value;
  }
  run_parallel(fn, data, args, (int)argc - 4, total, chunk);
  return undefined(env);
}

static napi_value js_set_threads(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  int32_t count;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 1 || napi_get_value_int32(env, argv[0], &count) != napi_ok || count < 1 || count > MAX_THREADS) {
    napi_throw_range_error(env, NULL, "lstmkit native kernel: setThreads(count), count from 1 to 256");
    return NULL;
  }
  napi_value result;
  napi_create_int32(env, set_threads(count), &result);
  return result;
}

/** Whether this CPU, and its OS (libgcc checks which registers it saves), runs `variant`. */
static int isa_supported(const struct lstm_kernel *variant) {
  if (variant == &lstm_kernel_avx512)
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma");
  if (variant == &lstm_kernel_avx2) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return 1;
}

/**
 * The widest variant this CPU runs, or the one LSTMKIT_NATIVE_ISA names (to compare them); NULL
 * with `error` written when it names none or one this CPU lacks (loading then throws).
 */
static const struct lstm_kernel *pick_kernel(char *error, size_t size) {
  const struct lstm_kernel *widest_first[] = {&lstm_kernel_avx512, &lstm_kernel_avx2, &lstm_kernel_generic};
  const char *wanted = getenv("LSTMKIT_NATIVE_ISA");
  if (wanted != NULL && *wanted == 0) wanted = NULL;
  __builtin_cpu_init();
  for (size_t i = 0; i < sizeof widest_first / sizeof widest_first[0]; i++) {
    if (wanted != NULL && strcmp(wanted, widest_first[i]->isa) != 0) continue;
    if (isa_supported(widest_first[i])) return widest_first[i];
    if (wanted == NULL) continue;
    snprintf(error, size, "lstmkit native kernel: LSTMKIT_NATIVE_ISA=%s, but this CPU lacks it", wanted);
    return NULL;
  }
  // generic always runs: only a name that matched none gets here.
  snprintf(error, size, "lstmkit native kernel: LSTMKIT_NATIVE_ISA=%s is not avx512, avx2 or generic", wanted);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  char error[160];
  kernel = pick_kernel(error, sizeof error);
  if (kernel == NULL) {
    napi_throw_error(env, NULL, error);
    return NULL;
  }
  const struct { const char *name; napi_callback fn; } functions[] = {
      {"forward", js_forward},
      {"backward", js_backward},
      {"weightGradsColumns", js_weight_grads_columns},
      {"tanhArray", js_tanh_array},
      {"sumSquares", js_sum_squares},
      {"adam", js_adam},
      {"copySteps", js_copy_steps},
      {"gatherEmbeddings", js_gather_embeddings},
      {"scatterEmbeddings", js_scatter_embeddings},
      {"dropoutMask", js_dropout_mask},
      {"multiply", js_multiply},
      {"transpose", js_transpose},
      {"poolForward", js_pool_forward},
      {"poolBackward", js_pool_backward},
      {"run", js_run},
      {"setThreads", js_set_threads},
  };
  for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
    napi_value fn;
    CHECK(napi_create_function(env, functions[i].name, NAPI_AUTO_LENGTH, functions[i].fn, NULL, &fn));
    CHECK(napi_set_named_property(env, exports, functions[i].name, fn));
  }
  napi_value isa;
  CHECK(napi_create_string_utf8(env, kernel->isa, NAPI_AUTO_LENGTH, &isa));
  CHECK(napi_set_named_property(env, exports, "isa", isa));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
