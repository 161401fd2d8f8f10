// The few entry points of fengari (a Lua 5.3 virtual machine in JavaScript) the tests use; it ships no types.
declare module 'fengari' {
  type LuaState = object;
  const fengari: {
    lauxlib: { luaL_newstate(): LuaState; luaL_loadstring(L: LuaState, code: Uint8Array): number };
    lualib: { luaL_openlibs(L: LuaState): void };
    lua: { lua_pcall(L: LuaState, nargs: number, nresults: number, errfunc: number): number; lua_tojsstring(L: LuaState, index: number): string; LUA_OK: number };
    to_luastring(text: string): Uint8Array;
  };
  export default fengari;
}
