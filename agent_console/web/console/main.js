// Agent console (one module per pane). Every text from customers (or anyone) is inserted
// with textContent / text nodes, never innerHTML, so a message holding markup shows as text.

import { bindCalls } from "./calls.js";
import { bindCanned } from "./canned.js";
import { bindReplies } from "./conversation.js";
import { connect } from "./live.js";
import { refreshQueue, startWaitClocks } from "./queue.js";
import { bindSla } from "./sla.js";
import { bindNotes } from "./notes.js";
import { bindOutbound } from "./outbound.js";
import { bindTransfer } from "./transfer.js";

bindReplies();
bindCanned();
bindCalls();
bindOutbound();
bindNotes();
bindTransfer();
startWaitClocks();
bindSla();
refreshQueue();
connect();
