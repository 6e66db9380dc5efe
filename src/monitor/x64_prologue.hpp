// A small x86-64 instruction-length decoder for function prologues, and the relocation of the
// whole instructions an inline hook overwrites into its trampoline. It knows the instructions
// that occur at the start of Windows (MSVC) and Wine (mingw) functions: REX and legacy prefixes,
// push/pop, mov/lea/alu with ModRM (SIB, disp8/32, RIP-relative disp32), immediates, sub rsp,
// endbr64, nops. Anything else is refused, never guessed: the hook is then not installed.
//
// Portable (no Windows headers, no allocation): the hook DLL and the Linux unit tests share it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace golaunch {

struct X64Instruction {
    std::uint8_t length = 0;
    // Offset of a RIP-relative disp32 inside the instruction, or -1.
    std::int8_t rip_disp_offset = -1;
};

// Why decoding or relocation refused; `reason` is a static string, `at` the byte offset from the
// start of the function and `opcode` the first opcode byte there.
struct X64Refusal {
    const char* reason = nullptr;
    std::size_t at = 0;
    std::uint8_t opcode = 0;
    explicit operator bool() const { return reason != nullptr; }
};

// Decodes one instruction at `code` (at most `available` bytes readable). On refusal
// `instruction.length` is 0 and the reason is returned.
X64Refusal decode_x64_instruction(const std::uint8_t* code, std::size_t available,
                                  X64Instruction& instruction);

inline constexpr std::size_t k_max_stolen_bytes = 32;

// The whole instructions covering at least `min_bytes` at the start of a function.
struct X64PrologueCopy {
    std::size_t length = 0; // bytes to copy (>= min_bytes)
    std::size_t count = 0;  // instructions
    X64Instruction instructions[k_max_stolen_bytes];
};

X64Refusal plan_prologue_copy(const std::uint8_t* code, std::size_t available,
                              std::size_t min_bytes, X64PrologueCopy& copy);

// Copies the planned instructions from `code` (which runs at address `from`) into `out` (which
// will run at address `to`), rewriting each RIP-relative disp32 so it still reaches the same
// target. Refuses when a displacement no longer fits in 32 bits.
X64Refusal relocate_prologue(const std::uint8_t* code, const X64PrologueCopy& copy,
                             std::uint64_t from, std::uint64_t to, std::uint8_t* out);

} // namespace golaunch
