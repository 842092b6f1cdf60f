// The operator strategy of the lab: where nothing can move a tag, a person does what each step
// needs. The operator is asked on a stream (stderr) to present a door's real sticker to a
// reader, to take it away, or to leave a reader empty, and a read waits for them up to the
// lab's present timeout. The state is what each staff phone has been given to read.
#pragma once

#include <chrono>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "harness/lab/lab_drivers.hpp"
#include "harness/lab/lab_file.hpp"
#include "kvittens/devices.hpp"
#include "sim/core/doors.hpp"

namespace kvittens::harness {

// Where a scenario's tag is read in the lab, and the real sticker that stands for it.
struct Placement {
  std::string door, reader, scenario_uid, real_uid;
};

// Where `tag`, presented to `staff`'s phone, is read: on the reader mounted at its door, else
// on the phone's; as the door's real sticker when the lab file names one, else as itself.
// Throws LabError when the lab has no reader for it.
Placement place_tag(const LabFile& lab, const std::vector<sim::Door>& doors,
                    const std::string& staff, const sim::TagOnDoor& tag);

class LabOperator {
 public:
  LabOperator(const LabFile& lab, std::ostream& prompts) : lab_(lab), prompts_(prompts) {}

  // Asks for the placement's sticker at its reader; `staff`'s next reads are of it.
  void present(const std::string& staff, const Placement& placement);
  // Asks for `staff`'s sticker to be taken away; nothing when none was presented.
  void take_away(const std::string& staff);
  // The next `count` reads of `staff`'s phone find no tag (an NFC no-tag fault).
  void keep_empty(const std::string& staff, int count);

  // One read of `staff`'s phone on the reader of what it was given. A read that must be empty
  // takes the step's timeout and gives the driver's own NoTag; otherwise it waits at least the
  // present timeout, and nobody presenting is a LabError. The real sticker's UID comes back as
  // the scenario's.
  TagRead read(const std::string& staff, LabNfcReaders& readers, std::chrono::milliseconds timeout);

 private:
  const LabFile& lab_;
  std::ostream& prompts_;
  std::map<std::string, Placement> placed_;
  std::map<std::string, int> empty_reads_;
};

}  // namespace kvittens::harness
