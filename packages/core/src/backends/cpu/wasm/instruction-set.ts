/**
 * Which build of the kernels runs: `simd128` (WebAssembly SIMD, every SIMD host) or `relaxed-simd`
 * (the matmul and conv micro-kernels use `f32x4.relaxed_madd`, a fused multiply-add on hardware
 * with FMA: Node 22+, Chrome 114+; Node 20 only with --experimental-wasm-relaxed-simd,
 * which worker threads inherit). Chosen once per accelerator, before any kernel bytes are loaded.
 */

/** The kernel builds scripts/build-wasm.mjs writes. */
export type WasmInstructionSet = 'simd128' | 'relaxed-simd';

/** What to load: one build, or `'auto'` (relaxed SIMD where this host validates it). */
export type WasmInstructionSetChoice = WasmInstructionSet | 'auto';

/** v128.const with sixteen zero bytes. */
const ZERO_VECTOR = [0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/** Body of `() -> v128`: no locals, three zero vectors, f32x4.relaxed_madd (opcode 0xfd 0x105, LEB128), end. */
const PROBE_BODY = [0x00, ...ZERO_VECTOR, ...ZERO_VECTOR, ...ZERO_VECTOR, 0xfd, 0x85, 0x02, 0x0b];
/**
 * The smallest module using relaxed SIMD (82 bytes): validating it answers whether this host runs
 * the relaxed build without fetching that build's ~81 KiB (dist/kernels-wasm-relaxed-*.js).
 */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: one func type () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, PROBE_BODY.length + 2, 0x01, PROBE_BODY.length, ...PROBE_BODY, // code section
]);

/**
 * Whether this host's WebAssembly accepts relaxed SIMD instructions (what `ready()` asks before it
 * picks the kernel build).
 *
 * @example
 * ```ts
 * import { hostSupportsRelaxedSimd } from '@dendrite/core/backend';
 * hostSupportsRelaxedSimd(); // true on Node 22+ and Chrome 114+; on Node 20 only with --experimental-wasm-relaxed-simd
 * ```
 */
export function hostSupportsRelaxedSimd(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_SIMD_PROBE);
  } catch {
    return false;
  }
}

const CHOICES: readonly WasmInstructionSetChoice[] = ['auto', 'simd128', 'relaxed-simd'];

/**
 * Reads DENDRITE_WASM_SIMD (Node): `relaxed-simd`, `simd128` or `auto`; unset means undefined.
 * Throws on any other value, so a typo in a benchmark's environment does not silently measure the
 * wrong build.
 */
export function instructionSetFromEnvironment(): WasmInstructionSetChoice | undefined {
  const environment = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const text = environment?.DENDRITE_WASM_SIMD?.trim();
  if (text === undefined || text === '') return undefined;
  if (!(CHOICES as readonly string[]).includes(text)) {
    throw new RangeError(`DENDRITE_WASM_SIMD must be one of ${CHOICES.join(', ')}, got '${text}'`);
  }
  return text as WasmInstructionSetChoice;
}

/** The build to load and, for getBackendInfo().notes, why the faster one is not used (null when it is). */
export interface InstructionSetSelection {
  instructionSet: WasmInstructionSet;
  note: string | null;
}

const RELAXED_HINT = 'needs Node 22+ or Chrome 114+; Node 20 with --experimental-wasm-relaxed-simd';

/**
 * Resolves a choice against this host. `'relaxed-simd'` asked for on a host without it throws
 * (naming the flag that would enable it) rather than quietly running the other build.
 */
export function selectInstructionSet(choice: WasmInstructionSetChoice, supported = hostSupportsRelaxedSimd()): InstructionSetSelection {
  if (!(CHOICES as readonly string[]).includes(choice)) {
    throw new RangeError(`createWasmAccelerator: instructionSet must be one of ${CHOICES.join(', ')}, got '${String(choice)}'`);
  }
  if (choice === 'simd128') {
    return { instructionSet: 'simd128', note: 'SIMD128 kernels requested: matmul and conv without relaxed SIMD\'s fused multiply-add' };
  }
  if (supported) {
    return { instructionSet: 'relaxed-simd', note: null };
  }
  if (choice === 'relaxed-simd') {
    throw new Error(`wasm accelerator: relaxed SIMD was requested but this host does not validate it (${RELAXED_HINT})`);
  }
  return { instructionSet: 'simd128', note: `SIMD128 kernels: this host has no relaxed SIMD (${RELAXED_HINT})` };
}
