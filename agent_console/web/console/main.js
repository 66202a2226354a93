// Agent console (one module per pane). Every text from customers (or anyone) is inserted
// with textContent / text nodes, never innerHTML, so a message holding markup shows as text.

import { bindReplies } from "./conversation.js";
import { connect } from "./live.js";
import { refreshQueue, startWaitClocks } from "./queue.js";

bindReplies();
startWaitClocks();
refreshQueue();
connect();
