# The rooms of docs/architecture.md and which of our libraries each may link. A room's
# CMakeLists calls kvittens_room(TARGET) after defining its library; at the end of the
# configure step every link of that target to a kvittens_* library not listed here is an
# error, so a forbidden arrow fails before anything is built. A new library needs a line here.
#
# Only direct links are listed: what a room may reach transitively follows from the rooms it
# may link.
set(KVITTENS_ROOMS
  # contracts' value types, and the model as JSON
  "kvittens_model:"
  "kvittens_wire:kvittens_model"
  # the engine and rule packs; the BackendClient over HTTP
  "kvittens_backend:kvittens_model"
  "kvittens_backend_http:kvittens_wire,kvittens_model"
  # `kvittens serve`: the engine behind HTTP, nothing of the harness, drivers or emulators
  "kvittens_service:kvittens_backend,kvittens_wire,kvittens_model"
  # drivers never know whether the other end is emulated
  "kvittens_driver_nfc:kvittens_model"
  "kvittens_driver_ble:kvittens_model"
  # the emulators stand behind the real drivers' transports
  "kvittens_emu_pn532:kvittens_driver_nfc,kvittens_model"
  "kvittens_emu_bluez:kvittens_driver_ble,kvittens_model"
  # the simulated world reaches the engine only through BackendClient
  "kvittens_sim:kvittens_model"
  "kvittens_sim_emulated:kvittens_sim,kvittens_emu_pn532,kvittens_emu_bluez,kvittens_driver_nfc,kvittens_driver_ble,kvittens_model"
  "kvittens_sim_load:kvittens_sim,kvittens_model"
  # the scenario format runs nothing
  "kvittens_scenario:kvittens_sim,kvittens_model"
  # running scenarios formats no report
  "kvittens_runner:kvittens_scenario,kvittens_sim,kvittens_sim_emulated,kvittens_backend,kvittens_backend_http,kvittens_model"
  # reports decide nothing
  "kvittens_report:kvittens_runner,kvittens_scenario,kvittens_backend,kvittens_wire,kvittens_model"
  # what composes the rest for one user: lab files, rule-version diff, lock certification
  # (backend and wire: the replay of a service's exported registrations under two versions)
  "kvittens_harness:kvittens_runner,kvittens_scenario,kvittens_sim,kvittens_driver_nfc,kvittens_driver_ble,kvittens_backend,kvittens_wire,kvittens_model"
  "kvittens_certify:kvittens_driver_ble,kvittens_emu_bluez,kvittens_model")

# The kvittens_* libraries `target` may link, from the table above ("" when none).
function(kvittens_room_allowed target out_var)
  foreach(row IN LISTS KVITTENS_ROOMS)
    string(FIND "${row}" ":" colon)
    string(SUBSTRING "${row}" 0 ${colon} name)
    if(name STREQUAL target)
      math(EXPR start "${colon} + 1")
      string(SUBSTRING "${row}" ${start} -1 allowed)
      string(REPLACE "," ";" allowed "${allowed}")
      set(${out_var} "${allowed}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  message(FATAL_ERROR "${target} is not a room of cmake/rooms.cmake: say there what it may link")
endfunction()

function(kvittens_room_check target)
  kvittens_room_allowed(${target} allowed)
  get_target_property(links ${target} LINK_LIBRARIES)
  get_target_property(interface ${target} INTERFACE_LINK_LIBRARIES)
  foreach(lib IN LISTS links interface)
    # target_link_libraries(PRIVATE) on a static library adds $<LINK_ONLY:lib> to its interface
    string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" lib "${lib}")
    if(lib MATCHES "^kvittens_" AND NOT lib IN_LIST allowed)
      string(REPLACE ";" ", " allowed_text "${allowed}")
      if(allowed_text STREQUAL "")
        set(allowed_text "none of ours")
      endif()
      message(FATAL_ERROR "${target} links ${lib}, but may link only ${allowed_text} "
                          "(cmake/rooms.cmake, docs/architecture.md)")
    endif()
  endforeach()
endfunction()

# Declares `target` a room: its links are checked once every CMakeLists has been read, so a
# link added anywhere later is caught too.
function(kvittens_room target)
  kvittens_room_allowed(${target} allowed)  # fails now for a library missing from the table
  # A deferred call reads its arguments when it runs: EVAL writes the name into it now.
  cmake_language(EVAL CODE
    "cmake_language(DEFER DIRECTORY [[${PROJECT_SOURCE_DIR}]] CALL kvittens_room_check [[${target}]])")
endfunction()
