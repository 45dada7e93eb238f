#include <catch2/catch.hpp>

#include "ccu/common/config.hpp"
#include "ccu/sync/file_names.hpp"

using namespace ccu::sync;

TEST_CASE("file names: ccu builders and classifier agree", "[file_names]") {
    CHECK(current_file_name("laptop") == "usage_data_laptop.json");
    CHECK(part_file_name("laptop", 1) == "usage_data_laptop_part_0001.json");
    CHECK(part_file_name("laptop", 12345) == "usage_data_laptop_part_12345.json");
    CHECK(backup_file_name("laptop", "20250131") == "usage_data_laptop_backup_20250131.json");

    for (const std::string machine : {"laptop", "a", "build-01.example.com", "2025", "x.json"}) {
        REQUIRE(ccu::is_valid_machine_name(machine));
        CHECK(classify_file_name(current_file_name(machine)) ==
              FileNameInfo{FileRole::Current, machine, 0, {}, {}});
        for (int part : {1, 9, 10, 999, 9999, 10000, 123456}) {
            CHECK(classify_file_name(part_file_name(machine, part)) ==
                  FileNameInfo{FileRole::Part, machine, part, {}, {}});
        }
        CHECK(classify_file_name(backup_file_name(machine, "20240229")) ==
              FileNameInfo{FileRole::Backup, machine, 0, "20240229", {}});
        CHECK(classify_for_machine(part_file_name(machine, 7), machine).part == 7);
    }
}

TEST_CASE("file names: manifest, legacy chunks and others", "[file_names]") {
    CHECK(classify_file_name("manifest.json").role == FileRole::Manifest);
    CHECK(classify_file_name("usage_data_pc_2024.json") ==
          FileNameInfo{FileRole::LegacyChunk, "pc", 0, {}, "2024"});
    CHECK(classify_file_name("usage_data_pc_2025_01.json") ==
          FileNameInfo{FileRole::LegacyChunk, "pc", 0, {}, "2025_01"});
    CHECK(classify_file_name("usage_data_pc_2025_11_p2.json") ==
          FileNameInfo{FileRole::LegacyChunk, "pc", 0, {}, "2025_11_p2"});
    for (const char* other : {"README.md", "usage_data_.json", "usage_data_pc.txt", "usage_data_pc_part_1.json",
                              "usage_data_pc_part_0000.json", "usage_data_pc_part_01234.json",
                              "usage_data_pc_backup_20250230.json", "usage_data_pc_backup_2025013.json",
                              "usage_data_pc_2025_13.json", "usage_data_pc_2025_01_p0.json",
                              "usage_data_my_pc.json", "usage_data_-pc.json", "usage_data_pc_extra.json",
                              "manifest.json.bak", "usage_data_pc/x.json"}) {
        INFO(other);
        CHECK(classify_file_name(other).role == FileRole::Other);
    }
}

TEST_CASE("file names: origin-tool machine names through the known machine", "[file_names]") {
    // The origin tool allows '_' and spaces; such names only classify with the machine given.
    CHECK(classify_for_machine("usage_data_my_pc.json", "my_pc").role == FileRole::Current);
    CHECK(classify_for_machine("usage_data_my_pc_2025_01.json", "my_pc") ==
          FileNameInfo{FileRole::LegacyChunk, "my_pc", 0, {}, "2025_01"});
    // The origin tool names a chunked machine's backup after its first chunk.
    CHECK(classify_for_machine("usage_data_my_pc_2024_backup_20250101.json", "my_pc") ==
          FileNameInfo{FileRole::Backup, "my_pc", 0, "20250101", {}});
    CHECK(classify_for_machine("usage_data_Home PC.json", "Home PC").role == FileRole::Current);
    // Not that machine's file.
    CHECK(classify_for_machine("usage_data_my_pc.json", "my").role == FileRole::Other);
    CHECK(classify_for_machine("usage_data_my_pc_x.json", "my_pc").role == FileRole::Other);
    CHECK(classify_for_machine("usage_data_laptop2.json", "laptop").role == FileRole::Other);
}

TEST_CASE("file names: machine name rule and safe names", "[file_names]") {
    CHECK(ccu::is_valid_machine_name("a"));
    CHECK(ccu::is_valid_machine_name(std::string(63, 'a')));
    CHECK_FALSE(ccu::is_valid_machine_name(std::string(64, 'a')));
    CHECK_FALSE(ccu::is_valid_machine_name(""));
    CHECK_FALSE(ccu::is_valid_machine_name(".a"));
    CHECK_FALSE(ccu::is_valid_machine_name("-a"));
    CHECK_FALSE(ccu::is_valid_machine_name("a_b"));
    CHECK_FALSE(ccu::is_valid_machine_name("a b"));
    CHECK(is_safe_gist_file_name("usage_data_Home PC.json"));
    for (const char* bad : {"", ".", "..", "a/b", "..\\x", "a\nb", "\x7f"}) {
        INFO(bad);
        CHECK_FALSE(is_safe_gist_file_name(bad));
    }
    CHECK_FALSE(is_safe_gist_file_name(std::string(256, 'a')));
}
