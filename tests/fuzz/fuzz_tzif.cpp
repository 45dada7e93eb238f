// libFuzzer target: TZif time zone files (report::TimeZone::from_tzif). A file either is
// rejected with ccu::Error or gives offsets for any instant without reading out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ccu/common/error.hpp"
#include "ccu/report/timezone.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    try {
        const ccu::report::TimeZone zone = ccu::report::TimeZone::from_tzif("Fuzz/Zone", bytes);
        for (const std::int64_t ms : {INT64_C(-2208988800000), INT64_C(0), INT64_C(1754006400000),
                                      INT64_C(4102444800000), INT64_C(253402300799000)}) {
            (void)zone.offset_seconds(ms / 1000);
            (void)zone.local_date(ms);
        }
    } catch (const ccu::Error&) {
    }
    return 0;
}
