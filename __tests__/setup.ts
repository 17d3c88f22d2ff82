import { Testing } from "cdktf";
// Declares cdktf's matchers on jest's `expect` for the type checker.
import "cdktf/lib/testing/adapters/jest";

// cdktf's matchers: toHaveResource, toHaveResourceWithProperties, toHaveProvider, ...
Testing.setupJest();
