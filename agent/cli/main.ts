#!/usr/bin/env node
console.log("agent");
