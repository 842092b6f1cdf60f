// `kvittens run --lab lab.yaml`: the scenario's doors on real devices. The lab is read as
// resources (lab/lab_file.hpp: where each device is), driven through the same drivers as the
// emulated mode (lab/lab_drivers.hpp: how to talk to it), and where nothing can move a tag an
// operator is asked on stderr and waited for, with a timeout (lab/lab_operator.hpp: how a step
// is carried out). LabHardware composes the three into the runner's sim::Hardware.
#pragma once

#include <iosfwd>
#include <memory>
#include <vector>

#include "harness/lab/lab_file.hpp"
#include "kvittens/clock.hpp"
#include "sim/core/hardware.hpp"

namespace kvittens::harness {

// Real devices for one run. `prompts` is where the operator is asked (stderr).
std::unique_ptr<sim::Hardware> make_lab_hardware(const LabFile& lab, const World& world,
                                                 const std::vector<sim::Door>& doors,
                                                 const Clock& clock, std::ostream& prompts);

}  // namespace kvittens::harness
