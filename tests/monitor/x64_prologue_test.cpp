// The inline hook's instruction-length decoder and trampoline relocation, on recorded bytes:
// Wine 8.0's ws2_32!bind and !listen (objdump of /usr/lib/x86_64-linux-gnu/wine/x86_64-windows/
// ws2_32.dll), typical MSVC prologues, and sequences the hook must refuse to patch.
#include "monitor/x64_prologue.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace golaunch {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Lengths of consecutive instructions decoded from `code`, or the refusal reason.
std::vector<int> lengths(const Bytes& code, std::string* refused = nullptr) {
    std::vector<int> result;
    std::size_t at = 0;
    while (at < code.size()) {
        X64Instruction instruction;
        const auto refusal =
            decode_x64_instruction(code.data() + at, code.size() - at, instruction);
        if (refusal) {
            if (refused != nullptr) {
                *refused = refusal.reason;
            }
            return result;
        }
        result.push_back(instruction.length);
        at += instruction.length;
    }
    return result;
}

// Wine 8.0 ws2_32!bind, first 0x2d bytes.
const Bytes k_wine_bind = {0x41, 0x57, 0x41, 0x56, 0x41, 0x55, 0x41, 0x54, 0x55, 0x57, 0x56, 0x53,
                           0x48, 0x83, 0xec, 0x68, 0x4c, 0x8d, 0x2d, 0x39, 0x86, 0x00, 0x00, 0x49,
                           0x89, 0xce, 0x48, 0x89, 0xd7, 0x44, 0x89, 0xc3, 0xf6, 0x05, 0x29, 0x86,
                           0x00, 0x00, 0x08, 0x0f, 0x85, 0xa3, 0x01, 0x00, 0x00};

// Wine 8.0 ws2_32!listen, first 0x2c bytes.
const Bytes k_wine_listen = {0x56, 0x53, 0x48, 0x83, 0xec, 0x78, 0x48, 0x8d, 0x35, 0xf3, 0x5e,
                             0x00, 0x00, 0x48, 0xc7, 0x44, 0x24, 0x54, 0x00, 0x00, 0x00, 0x00,
                             0x48, 0x89, 0xcb, 0xc7, 0x44, 0x24, 0x5c, 0x00, 0x00, 0x00, 0x00,
                             0x89, 0x54, 0x24, 0x58, 0xf6, 0x05, 0xd4, 0x5e, 0x00, 0x00, 0x08};

TEST(X64Prologue, DecodesWineBind) {
    std::string refused;
    EXPECT_EQ(lengths(k_wine_bind, &refused),
              (std::vector<int>{2, 2, 2, 2, 1, 1, 1, 1, 4, 7, 3, 3, 3, 7}));
    EXPECT_EQ(refused, "relative branch"); // the jne rel32 at +0x27
}

TEST(X64Prologue, DecodesWineListen) {
    EXPECT_EQ(lengths(k_wine_listen), (std::vector<int>{1, 1, 4, 7, 9, 3, 8, 4, 7}));
}

TEST(X64Prologue, DecodesMsvcStylePrologues) {
    // mov [rsp+8],rbx; mov [rsp+10h],rbp; mov [rsp+18h],rsi; push rdi; push r14; push r15;
    // sub rsp,40h
    const Bytes saves = {0x48, 0x89, 0x5c, 0x24, 0x08, 0x48, 0x89, 0x6c, 0x24, 0x10, 0x48, 0x89,
                         0x74, 0x24, 0x18, 0x57, 0x41, 0x56, 0x41, 0x57, 0x48, 0x83, 0xec, 0x40};
    EXPECT_EQ(lengths(saves), (std::vector<int>{5, 5, 5, 1, 2, 2, 4}));
    // mov r11,rsp; mov [r11+10h],rbx; mov [r11+18h],rsi; push rdi; sub rsp,0A0h (imm32)
    const Bytes frame = {0x4c, 0x8b, 0xdc, 0x49, 0x89, 0x5b, 0x10, 0x49, 0x89, 0x73,
                         0x18, 0x57, 0x48, 0x81, 0xec, 0xa0, 0x00, 0x00, 0x00};
    EXPECT_EQ(lengths(frame), (std::vector<int>{3, 4, 4, 1, 7}));
    // endbr64; mov eax,imm32; movabs rax,imm64; xor r8d,r8d; nop dword [rax+rax+0]
    const Bytes misc = {0xf3, 0x0f, 0x1e, 0xfa, 0xb8, 1,    2,    3,    4,
                        0x48, 0xb8, 1,    2,    3,    4,    5,    6,    7,
                        8,    0x45, 0x31, 0xc0, 0x0f, 0x1f, 0x44, 0x00, 0x00};
    EXPECT_EQ(lengths(misc), (std::vector<int>{4, 5, 10, 3, 5}));
    // mov [rsp+disp32+...] with SIB and disp32; test byte [rbp+8],1; mov ax,imm16 (66 prefix)
    const Bytes wide = {0x48, 0x89, 0x84, 0x24, 0x00, 0x01, 0x00, 0x00, 0xf6,
                        0x45, 0x08, 0x01, 0x66, 0xc7, 0x45, 0x00, 0x34, 0x12};
    EXPECT_EQ(lengths(wide), (std::vector<int>{8, 4, 6}));
}

TEST(X64Prologue, RefusesWhatItCannotCopy) {
    const std::vector<std::pair<Bytes, std::string>> cases = {
        {{0xe9, 0x00, 0x10, 0x00, 0x00}, "relative branch"},       // jmp rel32 (a hook already)
        {{0xeb, 0x05}, "relative branch"},                         // jmp rel8
        {{0xe8, 0, 0, 0, 0}, "relative branch"},                   // call rel32
        {{0x74, 0x03}, "relative branch"},                         // je rel8
        {{0x48, 0xff, 0x25, 0, 0, 0, 0}, "indirect call or jump"}, // jmp [rip+0] (a forwarder)
        {{0xff, 0xd0}, "indirect call or jump"},                   // call rax
        {{0xc3}, "return or int3 (function too short)"},
        {{0xcc}, "return or int3 (function too short)"},
        {{0xc5, 0xf8, 0x77}, "VEX/EVEX-encoded instruction"}, // vzeroupper
        {{0x0f, 0x38, 0x00, 0xc1}, "three-byte opcode"},
        {{0x0f, 0x05}, "unknown opcode"}, // syscall
        {{0x06}, "unknown opcode"},       // push es: invalid in 64-bit mode
        {{0x48, 0x89, 0x5c, 0x24}, "instruction runs past the readable bytes"},
    };
    for (const auto& [code, reason] : cases) {
        X64Instruction instruction;
        const auto refusal = decode_x64_instruction(code.data(), code.size(), instruction);
        ASSERT_TRUE(refusal) << reason;
        EXPECT_EQ(std::string(refusal.reason), reason);
        EXPECT_EQ(instruction.length, 0);
    }
}

TEST(X64Prologue, PlansWholeInstructionsCoveringTheJump) {
    X64PrologueCopy copy;
    ASSERT_FALSE(plan_prologue_copy(k_wine_bind.data(), k_wine_bind.size(), 5, copy));
    EXPECT_EQ(copy.length, 6u); // push r15; push r14; push r13
    EXPECT_EQ(copy.count, 3u);
    ASSERT_FALSE(plan_prologue_copy(k_wine_bind.data(), k_wine_bind.size(), 14, copy));
    EXPECT_EQ(copy.length, 16u); // ... up to and including sub rsp,68h

    const Bytes hooked = {0x90, 0x90, 0xe9, 0, 0, 0, 0};
    const auto refusal = plan_prologue_copy(hooked.data(), hooked.size(), 5, copy);
    ASSERT_TRUE(refusal);
    EXPECT_EQ(refusal.at, 2u);
    EXPECT_EQ(refusal.opcode, 0xe9);
}

TEST(X64Prologue, RelocatesRipRelativeOperands) {
    // listen: push rsi; push rbx; sub rsp,78h; lea rsi,[rip+5EF3h]
    X64PrologueCopy copy;
    ASSERT_FALSE(plan_prologue_copy(k_wine_listen.data(), k_wine_listen.size(), 7, copy));
    ASSERT_EQ(copy.length, 13u);
    ASSERT_EQ(copy.count, 4u);
    EXPECT_EQ(copy.instructions[3].rip_disp_offset, 3);

    const std::uint64_t from = 0x370f7f220;
    const std::uint64_t to = from - 0x10000; // a trampoline 64 KiB below
    std::uint8_t out[k_max_stolen_bytes] = {};
    ASSERT_FALSE(relocate_prologue(k_wine_listen.data(), copy, from, to, out));
    std::int32_t disp = 0;
    std::memcpy(&disp, out + 6 + 3, sizeof disp);
    EXPECT_EQ(disp, 0x5ef3 + 0x10000);
    // The same target: end of the lea + displacement, before and after.
    EXPECT_EQ(to + 13 + disp, from + 13 + 0x5ef3);
    EXPECT_EQ(std::memcmp(out, k_wine_listen.data(), 9), 0); // the rest copied as is

    const std::uint64_t far = from + (std::uint64_t{3} << 31);
    const auto refusal = relocate_prologue(k_wine_listen.data(), copy, from, far, out);
    ASSERT_TRUE(refusal);
    EXPECT_EQ(std::string(refusal.reason), "RIP-relative operand out of reach of the trampoline");
    EXPECT_EQ(refusal.at, 6u);
}

} // namespace
} // namespace golaunch
