#include "monitor/x64_prologue.hpp"

#include <cstring>

namespace golaunch {

namespace {

// How the bytes after the opcode are laid out.
enum class Operands : std::uint8_t {
    none,
    modrm,
    modrm_imm8,
    modrm_imm_z, // imm32, or imm16 with an operand-size prefix
    imm8,
    imm_z,
    imm_v,        // mov r, imm: imm64 with REX.W
    modrm_group3, // F6/F7: an immediate only for /0 and /1 (test)
    modrm_group5, // FE/FF: /2../5 are indirect calls and jumps
    relative_branch,
    ends_flow,
    refuse,
};

Operands one_byte_operands(std::uint8_t op) {
    if (op < 0x40) {
        const std::uint8_t low = op & 7;
        if (low >= 6) {
            return Operands::refuse; // segment push/pop, BCD adjust: invalid in 64-bit mode
        }
        if (low <= 3) {
            return Operands::modrm;
        }
        return low == 4 ? Operands::imm8 : Operands::imm_z;
    }
    if (op >= 0x50 && op <= 0x5f) {
        return Operands::none; // push/pop r64
    }
    if ((op >= 0x70 && op <= 0x7f) || op == 0xe8 || op == 0xe9 || op == 0xeb ||
        (op >= 0xe0 && op <= 0xe3)) {
        return Operands::relative_branch;
    }
    if (op >= 0x84 && op <= 0x8b) {
        return Operands::modrm; // test, xchg, mov
    }
    if (op >= 0x90 && op <= 0x99) {
        return Operands::none; // nop, xchg rax, cdqe, cqo
    }
    if (op >= 0xb0 && op <= 0xb7) {
        return Operands::imm8;
    }
    if (op >= 0xb8 && op <= 0xbf) {
        return Operands::imm_v;
    }
    if (op >= 0xd0 && op <= 0xd3) {
        return Operands::modrm; // shifts by 1 / cl
    }
    switch (op) {
    case 0x63: // movsxd
    case 0x8d: // lea
    case 0x8f: // pop r/m
        return Operands::modrm;
    case 0x68:
    case 0xa9:
        return Operands::imm_z;
    case 0x6a:
    case 0xa8:
        return Operands::imm8;
    case 0x69:
    case 0x81:
    case 0xc7:
        return Operands::modrm_imm_z;
    case 0x6b:
    case 0x80:
    case 0x83:
    case 0xc0:
    case 0xc1:
    case 0xc6:
        return Operands::modrm_imm8;
    case 0xf6:
    case 0xf7:
        return Operands::modrm_group3;
    case 0xfe:
    case 0xff:
        return Operands::modrm_group5;
    case 0xc2:
    case 0xc3:
    case 0xca:
    case 0xcb:
    case 0xcc:
    case 0xcf:
        return Operands::ends_flow;
    default:
        return Operands::refuse;
    }
}

Operands two_byte_operands(std::uint8_t op) {
    if (op >= 0x80 && op <= 0x8f) {
        return Operands::relative_branch; // jcc rel32
    }
    if ((op >= 0x70 && op <= 0x73) || op == 0xa4 || op == 0xac || op == 0xba) {
        return Operands::modrm_imm8;
    }
    const bool sse = (op >= 0x10 && op <= 0x17) || (op >= 0x28 && op <= 0x2f) ||
                     (op >= 0x50 && op <= 0x6f) || (op >= 0x74 && op <= 0x76) || op == 0x7e ||
                     op == 0x7f;
    const bool hint_nop = op >= 0x18 && op <= 0x1f; // prefetch, nop r/m, endbr64
    const bool integer = (op >= 0x40 && op <= 0x4f) || (op >= 0x90 && op <= 0x9f) || op == 0xa3 ||
                         op == 0xa5 || op == 0xab || op == 0xad || op == 0xaf || op == 0xb0 ||
                         op == 0xb1 || op == 0xb3 || op == 0xb6 || op == 0xb7 || op == 0xbb ||
                         op == 0xbc || op == 0xbd || op == 0xbe || op == 0xbf || op == 0xc0 ||
                         op == 0xc1;
    return sse || hint_nop || integer ? Operands::modrm : Operands::refuse;
}

bool is_legacy_prefix(std::uint8_t byte) {
    switch (byte) {
    case 0x66:
    case 0x67:
    case 0xf0:
    case 0xf2:
    case 0xf3:
    case 0x2e:
    case 0x36:
    case 0x3e:
    case 0x26:
    case 0x64:
    case 0x65:
        return true;
    default:
        return false;
    }
}

// Reads the state of one instruction while it is decoded.
struct Cursor {
    const std::uint8_t* code;
    std::size_t available;
    std::size_t pos = 0;
    bool truncated = false;

    std::uint8_t next() {
        if (pos >= available) {
            truncated = true;
            return 0;
        }
        return code[pos++];
    }
    void skip(std::size_t count) {
        pos += count;
        truncated = truncated || pos > available;
    }
};

// ModRM, SIB and displacement. Returns the RIP-relative disp32 offset, or -1.
int decode_modrm(Cursor& cursor, std::uint8_t& reg) {
    const std::uint8_t modrm = cursor.next();
    const std::uint8_t mod = modrm >> 6;
    const std::uint8_t rm = modrm & 7;
    reg = (modrm >> 3) & 7;
    if (mod == 3) {
        return -1;
    }
    if (mod == 0 && rm == 5) {
        const int offset = static_cast<int>(cursor.pos);
        cursor.skip(4);
        return offset;
    }
    if (rm == 4) {
        const std::uint8_t sib = cursor.next();
        if (mod == 0 && (sib & 7) == 5) {
            cursor.skip(4);
        }
    }
    cursor.skip(mod == 1 ? 1 : mod == 2 ? 4 : 0);
    return -1;
}

X64Refusal refusal(const char* reason, std::uint8_t opcode) {
    X64Refusal result;
    result.reason = reason;
    result.opcode = opcode;
    return result;
}

} // namespace

X64Refusal decode_x64_instruction(const std::uint8_t* code, std::size_t available,
                                  X64Instruction& instruction) {
    instruction = X64Instruction{};
    Cursor cursor{code, available};
    bool operand_size = false;
    std::uint8_t op = cursor.next();
    while (is_legacy_prefix(op) && cursor.pos < 5 && !cursor.truncated) {
        operand_size = operand_size || op == 0x66;
        op = cursor.next();
    }
    bool rex_w = false;
    if (op >= 0x40 && op <= 0x4f) {
        rex_w = (op & 8) != 0;
        op = cursor.next();
    }
    if (op == 0xc4 || op == 0xc5 || op == 0x62) {
        return refusal("VEX/EVEX-encoded instruction", op);
    }
    Operands operands = one_byte_operands(op);
    if (op == 0x0f) {
        op = cursor.next();
        if (op == 0x38 || op == 0x3a) {
            return refusal("three-byte opcode", op);
        }
        operands = two_byte_operands(op);
    }
    const std::size_t imm_z = operand_size ? 2 : 4;
    std::uint8_t reg = 0;
    int rip = -1;
    switch (operands) {
    case Operands::refuse:
        return refusal("unknown opcode", op);
    case Operands::relative_branch:
        return refusal("relative branch", op);
    case Operands::ends_flow:
        return refusal("return or int3 (function too short)", op);
    case Operands::none:
        break;
    case Operands::imm8:
        cursor.skip(1);
        break;
    case Operands::imm_z:
        cursor.skip(imm_z);
        break;
    case Operands::imm_v:
        cursor.skip(rex_w ? 8 : imm_z);
        break;
    case Operands::modrm:
        rip = decode_modrm(cursor, reg);
        break;
    case Operands::modrm_imm8:
        rip = decode_modrm(cursor, reg);
        cursor.skip(1);
        break;
    case Operands::modrm_imm_z:
        rip = decode_modrm(cursor, reg);
        cursor.skip(imm_z);
        break;
    case Operands::modrm_group3:
        rip = decode_modrm(cursor, reg);
        if (reg <= 1) {
            cursor.skip(op == 0xf6 ? 1 : imm_z);
        }
        break;
    case Operands::modrm_group5:
        rip = decode_modrm(cursor, reg);
        if (reg >= 2 && reg <= 5) {
            return refusal("indirect call or jump", op);
        }
        if (reg == 7) {
            return refusal("unknown opcode", op);
        }
        break;
    }
    if (cursor.truncated) {
        return refusal("instruction runs past the readable bytes", op);
    }
    if (cursor.pos > 15) {
        return refusal("instruction longer than 15 bytes", op);
    }
    instruction.length = static_cast<std::uint8_t>(cursor.pos);
    instruction.rip_disp_offset = static_cast<std::int8_t>(rip);
    return {};
}

X64Refusal plan_prologue_copy(const std::uint8_t* code, std::size_t available,
                              std::size_t min_bytes, X64PrologueCopy& copy) {
    copy = X64PrologueCopy{};
    while (copy.length < min_bytes) {
        X64Instruction instruction;
        auto refused =
            decode_x64_instruction(code + copy.length, available - copy.length, instruction);
        if (refused) {
            refused.at = copy.length;
            return refused;
        }
        if (copy.length + instruction.length > k_max_stolen_bytes) {
            return X64Refusal{"prologue copy too long", copy.length, code[copy.length]};
        }
        copy.instructions[copy.count++] = instruction;
        copy.length += instruction.length;
    }
    return {};
}

X64Refusal relocate_prologue(const std::uint8_t* code, const X64PrologueCopy& copy,
                             std::uint64_t from, std::uint64_t to, std::uint8_t* out) {
    std::memcpy(out, code, copy.length);
    std::size_t offset = 0;
    for (std::size_t i = 0; i < copy.count; ++i) {
        const auto& instruction = copy.instructions[i];
        if (instruction.rip_disp_offset >= 0) {
            const std::size_t at = offset + static_cast<std::size_t>(instruction.rip_disp_offset);
            std::int32_t disp = 0;
            std::memcpy(&disp, code + at, sizeof disp);
            // Same target, measured from the same instruction end at the new address.
            const std::int64_t moved =
                static_cast<std::int64_t>(disp) + static_cast<std::int64_t>(from - to);
            if (moved < INT32_MIN || moved > INT32_MAX) {
                return X64Refusal{"RIP-relative operand out of reach of the trampoline", offset,
                                  code[offset]};
            }
            const auto fixed = static_cast<std::int32_t>(moved);
            std::memcpy(out + at, &fixed, sizeof fixed);
        }
        offset += instruction.length;
    }
    return {};
}

} // namespace golaunch
