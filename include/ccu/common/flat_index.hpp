#pragma once
// An open-addressing hash index for in-memory dedup (the bulk load's MemoryTable,
// src/store/record_writer.cpp; the scan's Collapser, src/ingest/collapse.cpp): 8-byte slots of
// (32 bits of the hash, value) in one array, the keys themselves kept by the caller and compared
// only when those bits are equal. std::unordered_map allocated a node per entry (~270k for a
// 48k-record cold scan) and chased a pointer per lookup (bench/README.md). The hash's high 32
// bits pick the slot: they must be well mixed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace ccu {

class FlatIndex {
public:
    // Room for `expected` entries at a load of at most one half (it grows past that).
    explicit FlatIndex(std::size_t expected) { reset(std::max<std::size_t>(16, expected * 2)); }

    // The value of an entry with this hash for which `same(value)` holds.
    template <typename Same>
    std::optional<std::uint32_t> find(std::uint64_t hash, Same same) const {
        for (std::size_t i = tag_of(hash) & mask_;; i = (i + 1) & mask_) {
            const Slot& slot = slots_[i];
            if (slot.value == kNone) return std::nullopt;
            if (slot.tag == tag_of(hash) && same(slot.value)) return slot.value;
        }
    }

    // Where the value of an entry with this hash for which `same(value)` holds is kept; nullptr when none.
    template <typename Same>
    std::uint32_t* find_slot(std::uint64_t hash, Same same) {
        for (std::size_t i = tag_of(hash) & mask_;; i = (i + 1) & mask_) {
            Slot& slot = slots_[i];
            if (slot.value == kNone) return nullptr;
            if (slot.tag == tag_of(hash) && same(slot.value)) return &slot.value;
        }
    }

    // Calls `visit(value)` for every entry whose 32 hash bits equal this hash's (the caller tells
    // its keys apart).
    template <typename Visit>
    void for_each(std::uint64_t hash, Visit visit) const {
        for (std::size_t i = tag_of(hash) & mask_;; i = (i + 1) & mask_) {
            const Slot& slot = slots_[i];
            if (slot.value == kNone) return;
            if (slot.tag == tag_of(hash)) visit(slot.value);
        }
    }

    // Adds an entry (value < 0xffffffff); the caller has found none for its key.
    void add(std::uint64_t hash, std::uint32_t value) {
        if ((size_ + 1) * 2 > slots_.size()) grow();
        place(tag_of(hash), value);
        ++size_;
    }

private:
    // 8 bytes: 32 bits of the hash (which also pick the slot) and the value, kNone when unused.
    static constexpr std::uint32_t kNone = 0xffffffffU;
    struct Slot {
        std::uint32_t tag = 0;
        std::uint32_t value = kNone;
    };
    static std::uint32_t tag_of(std::uint64_t hash) { return static_cast<std::uint32_t>(hash >> 32); }

    void reset(std::size_t capacity) {
        std::size_t power = 16;
        while (power < capacity) power *= 2;
        slots_.assign(power, Slot{});
        mask_ = power - 1;
    }

    void place(std::uint32_t tag, std::uint32_t value) {
        std::size_t i = tag & mask_;
        while (slots_[i].value != kNone) i = (i + 1) & mask_;
        slots_[i] = {tag, value};
    }

    void grow() {
        std::vector<Slot> old = std::move(slots_);
        reset(old.size() * 2);
        for (const Slot& slot : old) {
            if (slot.value != kNone) place(slot.tag, slot.value);
        }
    }

    std::vector<Slot> slots_;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;
};

}  // namespace ccu
