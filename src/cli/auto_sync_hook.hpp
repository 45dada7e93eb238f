#pragma once

namespace ccu::store {
class Store;
}

namespace ccu::cli {
class Context;

// After `ccu scan` / `ccu report`: when `ccu gist auto-sync on` is set and the last sync is older
// than the interval, sync now. A failure never fails the command: it is a warning (and status shows
// it as the last error); another ccu already syncing is fine and silent.
void auto_sync_after_command(Context& ctx, store::Store& store);

}  // namespace ccu::cli
